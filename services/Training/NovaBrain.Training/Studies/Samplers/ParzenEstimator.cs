namespace NovaBrain.Training.Studies.Samplers;

/// <summary>
/// hyperopt's adaptive Parzen estimator on [low, high]: an equally weighted mixture of normals truncated to the range,
/// one at each observation and one wide prior at the middle. Each observation's bandwidth is the larger gap to its
/// sorted neighbours, clipped to [range / min(100, n + 1), range].
/// </summary>
public sealed class ParzenEstimator
{
    private readonly double[] _means;
    private readonly double[] _sigmas;
    private readonly double[] _masses;
    private readonly double _low;
    private readonly double _high;

    public ParzenEstimator(IReadOnlyList<double> observations, double low, double high)
    {
        (_low, _high) = (low, high);
        var range = high - low;
        var prior = (low + high) / 2;
        _means = [.. observations.Append(prior).Order()];
        _sigmas = new double[_means.Length];
        var minimum = range / Math.Min(100, _means.Length);
        for (var index = 0; index < _means.Length; index++)
        {
            var left = index > 0 ? _means[index] - _means[index - 1] : 0;
            var right = index < _means.Length - 1 ? _means[index + 1] - _means[index] : 0;
            _sigmas[index] = Math.Clamp(Math.Max(left, right), minimum, range);
        }
        _sigmas[Array.IndexOf(_means, prior)] = range;
        _masses = [.. _means.Select((mean, index) => NormalCdf((high - mean) / _sigmas[index]) - NormalCdf((low - mean) / _sigmas[index]))];
    }

    public double Sample(Random random)
    {
        var component = random.Next(_means.Length);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var value = _means[component] + _sigmas[component] * StandardNormal(random);
            if (value >= _low && value <= _high)
            {
                return value;
            }
        }
        return Math.Clamp(_means[component], _low, _high);
    }

    public double LogDensity(double value)
    {
        var density = 0.0;
        for (var index = 0; index < _means.Length; index++)
        {
            var z = (value - _means[index]) / _sigmas[index];
            density += Math.Exp(-0.5 * z * z) / (_sigmas[index] * Math.Sqrt(2 * Math.PI) * _masses[index]);
        }
        return Math.Log(density / _means.Length);
    }

    private static double StandardNormal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static double NormalCdf(double z) => 0.5 * (1 + Erf(z / Math.Sqrt(2)));

    /// <summary>Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7): .NET has no error function.</summary>
    private static double Erf(double x)
    {
        var t = 1 / (1 + 0.3275911 * Math.Abs(x));
        var polynomial = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        var value = 1 - polynomial * Math.Exp(-x * x);
        return x >= 0 ? value : -value;
    }
}
