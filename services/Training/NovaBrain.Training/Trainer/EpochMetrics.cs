namespace NovaBrain.Training.Trainer;

/// <summary>The names of the metrics a trainer reports per epoch.</summary>
public static class MetricNames
{
    public const string TrainLoss = "train_loss";
    public const string ValidationLoss = "val_loss";
    public const string Accuracy = "val_accuracy";
    public const string Rmse = "val_rmse";
    public const string Mae = "val_mae";
}

/// <summary>One finished epoch (1-based): its learning rate and its metrics, validation metrics on the held-out rows.</summary>
public sealed record EpochMetrics(int Epoch, double LearningRate, IReadOnlyDictionary<string, double> Metrics)
{
    public double Loss => Metrics[MetricNames.TrainLoss];
    public double ValidationLoss => Metrics[MetricNames.ValidationLoss];
}
