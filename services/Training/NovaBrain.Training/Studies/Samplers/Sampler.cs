namespace NovaBrain.Training.Studies.Samplers;

/// <summary>A finished trial as samplers see it: its point and its loss (the objective turned so that lower is better).</summary>
public sealed record ObservedTrial(double[] Point, double Loss, bool Pruned);

/// <summary>Draws the hyperparameters of a study's next trial. Every draw is determined by the seed, the trial number and the history.</summary>
public interface ISampler
{
    /// <summary>The point of trial <paramref name="trialNumber"/> (from 1), or null when the sampler has no points left.</summary>
    double[]? Sample(int trialNumber, IReadOnlyList<ObservedTrial> history);
}

public static class SamplerFactory
{
    public static ISampler Create(SamplerSettings settings, SearchSpace space) => settings.Type switch
    {
        SamplerTypes.Grid => new GridSampler(space, settings.GridPoints),
        SamplerTypes.Tpe => new TpeSampler(space, settings.Seed, settings.StartupTrials),
        _ => new RandomSampler(space, settings.Seed),
    };
}
