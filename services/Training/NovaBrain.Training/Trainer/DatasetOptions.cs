using System.ComponentModel.DataAnnotations;

namespace NovaBrain.Training.Trainer;

/// <summary>Bound from <c>Training:Datasets</c>: how a worker streams datasets.</summary>
public sealed class DatasetOptions
{
    public const string SectionName = "Training:Datasets";

    /// <summary>
    /// The rows the training shuffle holds at once: with a batch, the most rows of a dataset in memory. Larger mixes
    /// better; the shuffle is a full one for datasets no larger than this.
    /// </summary>
    [Range(1, 10_000_000)]
    public int ShuffleBufferRows { get; set; } = 50_000;
}
