namespace NovaBrain.Training.Studies.Samplers;

/// <summary>
/// Every point of the cartesian product of the dimensions' grids, once each, the first dimension varying slowest.
/// A continuous dimension takes <c>pointsPerDimension</c> evenly spaced points (geometrically spaced when
/// log-uniform); an integer one all its values, or that many evenly spaced ones when it has more; a categorical one
/// all its choices.
/// </summary>
public sealed class GridSampler : ISampler
{
    private readonly double[][] _axes;

    public GridSampler(SearchSpace space, int pointsPerDimension)
    {
        _axes = [.. space.Dimensions.Select(dimension => Axis(dimension.Dimension, pointsPerDimension))];
        Size = _axes.Aggregate(1L, (product, axis) => product * axis.Length);
    }

    /// <summary>How many points the grid has.</summary>
    public long Size { get; }

    public double[]? Sample(int trialNumber, IReadOnlyList<ObservedTrial> history)
    {
        if (trialNumber > Size)
        {
            return null;
        }
        var point = new double[_axes.Length];
        var index = trialNumber - 1L;
        for (var dimension = _axes.Length - 1; dimension >= 0; dimension--)
        {
            point[dimension] = _axes[dimension][index % _axes[dimension].Length];
            index /= _axes[dimension].Length;
        }
        return point;
    }

    private static double[] Axis(SearchDimension dimension, int points)
    {
        var (low, high) = (dimension.Low ?? 0, dimension.High ?? 0);
        return dimension.Type switch
        {
            DimensionTypes.Categorical => [.. Enumerable.Range(0, dimension.Choices!.Count).Select(index => (double)index)],
            DimensionTypes.Integer when high - low + 1 <= points => [.. Enumerable.Range(0, (int)(high - low + 1)).Select(offset => low + offset)],
            DimensionTypes.Integer => [.. Spaced(low, high, points).Select(value => Math.Round(value)).Distinct()],
            // Clamped: exp(log(x)) may land an ulp outside the range the template accepts.
            DimensionTypes.LogUniform => [.. Spaced(Math.Log(low), Math.Log(high), points).Select(value => Math.Clamp(Math.Exp(value), low, high))],
            _ => Spaced(low, high, points),
        };
    }

    private static double[] Spaced(double low, double high, int points) => points == 1
        ? [(low + high) / 2]
        : [.. Enumerable.Range(0, points).Select(index => low + (high - low) * index / (points - 1))];
}
