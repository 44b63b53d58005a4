namespace NovaBrain.Training.Studies.Samplers;

/// <summary>
/// The Tree-structured Parzen Estimator (Bergstra et al., "Algorithms for Hyper-Parameter Optimization", 2011), one
/// dimension at a time as in hyperopt. After <c>startupTrials</c> random trials, the finished trials are split at the
/// γ quantile of their losses into good and bad (pruned trials rank after all complete ones); a Parzen estimator per
/// dimension models the good, l(x), and the bad, g(x); of <see cref="Candidates"/> draws from l(x) the one with the
/// highest l(x)/g(x) is chosen.
/// </summary>
public sealed class TpeSampler(SearchSpace space, int seed, int startupTrials) : ISampler
{
    /// <summary>hyperopt's defaults: a quarter of the trials count as good, and 24 candidates are scored.</summary>
    public const double Gamma = 0.25;
    public const int Candidates = 24;

    public double[]? Sample(int trialNumber, IReadOnlyList<ObservedTrial> history)
    {
        var random = RandomSampler.ForTrial(seed, trialNumber);
        if (history.Count < Math.Max(2, startupTrials))
        {
            return RandomSampler.Draw(space, random);
        }
        var ranked = history.OrderBy(trial => trial.Pruned).ThenBy(trial => trial.Loss).ToList();
        var goodCount = Math.Min(ranked.Count - 1, (int)Math.Ceiling(Gamma * ranked.Count));
        var (good, bad) = (ranked[..goodCount], ranked[goodCount..]);

        var point = new double[space.Dimensions.Count];
        for (var index = 0; index < point.Length; index++)
        {
            var dimension = space.Dimensions[index].Dimension;
            var (goodValues, badValues) = (good.Select(trial => trial.Point[index]).ToList(), bad.Select(trial => trial.Point[index]).ToList());
            point[index] = dimension.Type == DimensionTypes.Categorical
                ? SampleCategorical(dimension.Choices!.Count, goodValues, badValues, random)
                : SampleNumeric(dimension, goodValues, badValues, random);
        }
        return point;
    }

    private static double SampleCategorical(int choices, List<double> good, List<double> bad, Random random)
    {
        // Counts with a prior of one observation per choice, so that no choice ever has zero probability.
        double[] Weights(List<double> observed) =>
            [.. Enumerable.Range(0, choices).Select(choice => (observed.Count(value => (int)value == choice) + 1.0) / (observed.Count + choices))];
        var (l, g) = (Weights(good), Weights(bad));
        var best = (Choice: 0, Score: double.NegativeInfinity);
        for (var candidate = 0; candidate < Candidates; candidate++)
        {
            var choice = Pick(l, random);
            if (Math.Log(l[choice]) - Math.Log(g[choice]) is var score && score > best.Score)
            {
                best = (choice, score);
            }
        }
        return best.Choice;
    }

    private static double SampleNumeric(SearchDimension dimension, List<double> good, List<double> bad, Random random)
    {
        // Log-uniform dimensions are modelled in the logarithm, integers as reals rounded to the nearest.
        var isLog = dimension.Type == DimensionTypes.LogUniform;
        var isInteger = dimension.Type == DimensionTypes.Integer;
        double ToModel(double value) => isLog ? Math.Log(value) : value;
        var (low, high) = isInteger
            ? (dimension.Low!.Value - 0.5, dimension.High!.Value + 0.5)
            : (ToModel(dimension.Low!.Value), ToModel(dimension.High!.Value));
        var l = new ParzenEstimator([.. good.Select(ToModel)], low, high);
        var g = new ParzenEstimator([.. bad.Select(ToModel)], low, high);

        var best = (Value: 0.0, Score: double.NegativeInfinity);
        for (var candidate = 0; candidate < Candidates; candidate++)
        {
            var value = l.Sample(random);
            if (l.LogDensity(value) - g.LogDensity(value) is var score && score > best.Score)
            {
                best = (value, score);
            }
        }
        return isInteger
            ? Math.Clamp(Math.Round(best.Value), dimension.Low!.Value, dimension.High!.Value)
            : isLog ? Math.Clamp(Math.Exp(best.Value), dimension.Low!.Value, dimension.High!.Value) : best.Value;
    }

    private static int Pick(double[] weights, Random random)
    {
        var target = random.NextDouble() * weights.Sum();
        for (var index = 0; index < weights.Length; index++)
        {
            target -= weights[index];
            if (target < 0)
            {
                return index;
            }
        }
        return weights.Length - 1;
    }
}
