using System.ComponentModel.DataAnnotations;

namespace NovaBrain.Training.Studies;

/// <summary>Bound from <c>Training:Studies</c>: how the study coordinator works and the limits a study may ask for.</summary>
public sealed class StudiesOptions
{
    public const string SectionName = "Training:Studies";

    /// <summary>How often the coordinator looks at running studies: syncs their trials, prunes, and submits new trials.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long one replica's claim on a study lasts unless renewed (every poll): another replica takes over a study
    /// this long after its coordinator stopped. Many polls long, so that a slow round does not let the claim lapse.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1, 100_000)]
    public int MaxTrials { get; set; } = 1000;

    [Range(1, 1000)]
    public int MaxParallelism { get; set; } = 32;
}
