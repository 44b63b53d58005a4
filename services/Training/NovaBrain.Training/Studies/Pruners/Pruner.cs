namespace NovaBrain.Training.Studies.Pruners;

/// <summary>
/// Decides whether a running trial stops after an epoch. Values are losses (the objective turned so that lower is
/// better) by epoch; each epoch of a trial is judged once, when the trial has reported it.
/// </summary>
public interface IPruner
{
    bool ShouldPrune(int epoch, IReadOnlyDictionary<int, double> trial, IReadOnlyList<IReadOnlyDictionary<int, double>> otherTrials);
}

public static class PrunerFactory
{
    public static IPruner Create(PrunerSettings settings) => settings.Type == PrunerTypes.Asha
        ? new SuccessiveHalvingPruner(settings.MinEpochs, settings.ReductionFactor)
        : new MedianPruner(settings.WarmupEpochs, settings.MinTrials);
}
