using System.ComponentModel.DataAnnotations;

namespace NovaBrain.Parameters.Blobs;

/// <summary>Bound from <c>Parameters:Uploads</c>: when resumable uploads count as abandoned, and how often to look.</summary>
public sealed class UploadSweeperOptions
{
    public const string SectionName = "Parameters:Uploads";

    /// <summary>An upload with no chunk for this long is deleted, with its staged bytes; a day by default.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan AbandonedAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the sweeper runs; when not set, a quarter of <see cref="AbandonedAfter"/>, at most every ten minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan? SweepInterval { get; set; }

    public TimeSpan EffectiveSweepInterval =>
        SweepInterval ?? TimeSpan.FromTicks(Math.Clamp(AbandonedAfter.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute * 10));
}
