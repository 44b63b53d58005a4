using System.ComponentModel.DataAnnotations;

namespace NovaBrain.EventBus.Outbox;

/// <summary>Bound from the <c>EventBus:Outbox</c> configuration section.</summary>
public sealed class OutboxOptions
{
    public const string SectionName = "EventBus:Outbox";

    /// <summary>How often the table is read even when no commit woke the dispatcher.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between attempts while the broker refuses or cannot be reached.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;
}
