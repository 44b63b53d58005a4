namespace NovaBrain.Training.Studies.Samplers;

/// <summary>Independent uniform draws: uniform, log-uniform (uniform in the logarithm), integer and categorical.</summary>
public sealed class RandomSampler(SearchSpace space, int seed) : ISampler
{
    public double[]? Sample(int trialNumber, IReadOnlyList<ObservedTrial> history) => Draw(space, ForTrial(seed, trialNumber));

    /// <summary>
    /// A generator of its own for each trial, so that a trial's draw does not depend on the draws before it. The seed is
    /// mixed with SplitMix64 rather than <see cref="HashCode"/>, which differs from process to process.
    /// </summary>
    public static Random ForTrial(int seed, int trialNumber)
    {
        var mixed = unchecked(((ulong)(uint)seed << 32 | (uint)trialNumber) + 0x9E3779B97F4A7C15UL);
        mixed = unchecked((mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9UL);
        mixed = unchecked((mixed ^ (mixed >> 27)) * 0x94D049BB133111EBUL);
        return new Random((int)(mixed ^ (mixed >> 31)));
    }

    public static double[] Draw(SearchSpace space, Random random) =>
        [.. space.Dimensions.Select(dimension => DrawOne(dimension.Dimension, random))];

    private static double DrawOne(SearchDimension dimension, Random random) => dimension.Type switch
    {
        DimensionTypes.Categorical => random.Next(dimension.Choices!.Count),
        DimensionTypes.Integer => random.NextInt64((long)dimension.Low!.Value, (long)dimension.High!.Value + 1),
        DimensionTypes.LogUniform => Math.Clamp(
            Math.Exp(Math.Log(dimension.Low!.Value) + random.NextDouble() * (Math.Log(dimension.High!.Value) - Math.Log(dimension.Low.Value))),
            dimension.Low.Value, dimension.High.Value),
        _ => dimension.Low!.Value + random.NextDouble() * (dimension.High!.Value - dimension.Low.Value),
    };
}
