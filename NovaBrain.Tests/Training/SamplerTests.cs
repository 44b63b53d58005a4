using System.Text.Json;
using NovaBrain.Training.Studies;
using NovaBrain.Training.Studies.Samplers;

namespace NovaBrain.Tests.Training;

/// <summary>The study samplers on search spaces of every kind of dimension, and TPE against random search.</summary>
[TestClass]
public sealed class SamplerTests
{
    private static readonly SearchSpace Mixed = new(new Dictionary<string, SearchDimension>
    {
        ["learningRate"] = new(DimensionTypes.LogUniform, 1e-4, 1e-1),
        ["validationFraction"] = new(DimensionTypes.Uniform, 0.1, 0.3),
        ["batchSize"] = new(DimensionTypes.Integer, 8, 12),
        ["optimizer"] = new(DimensionTypes.Categorical, Choices: [Json("\"adam\""), Json("\"sgd\"")]),
    });

    [TestMethod]
    public void Grid_EnumeratesTheCartesianProductExactlyOnce_ThenStops()
    {
        // 3 log-spaced learning rates × 3 fractions × 3 of the 5 batch sizes × 2 optimisers.
        var grid = new GridSampler(Mixed, pointsPerDimension: 3);

        var points = Enumerable.Range(1, 54).Select(number => grid.Sample(number, [])!).ToList();

        Assert.AreEqual(54L, grid.Size);
        Assert.HasCount(54, points.Select(point => string.Join(';', point)).Distinct().ToList(), "every point differs");
        Assert.IsNull(grid.Sample(55, []));
        var values = points.Select(Mixed.ToHyperparameters).ToList();
        var middle = Math.Pow(10, -2.5);
        CollectionAssert.AreEquivalent(new[] { 1e-4, Math.Round(middle, 12), 1e-1 },
            values.Select(v => Math.Round(v["learningRate"].GetDouble(), 12)).Distinct().ToArray(), "geometric spacing, ends included");
        CollectionAssert.AreEquivalent(new long[] { 8, 10, 12 }, values.Select(v => v["batchSize"].GetInt64()).Distinct().ToArray());
        CollectionAssert.AreEquivalent(new[] { "adam", "sgd" }, values.Select(v => v["optimizer"].GetString()).Distinct().ToArray());
        foreach (var (lr, fraction, batch) in new[] { (1e-4, 0.1, 8L), (0.1, 0.3, 12L), (middle, 0.2, 10L) })
        {
            Assert.AreEqual(2, values.Count(v => Math.Abs(v["learningRate"].GetDouble() - lr) < 1e-9 && Math.Abs(v["validationFraction"].GetDouble() - fraction) < 1e-12
                && v["batchSize"].GetInt64() == batch), $"({lr}, {fraction}, {batch}) once per optimiser");
        }
    }

    [TestMethod]
    public void Grid_OnASmallIntegerRange_TakesEveryInteger()
    {
        var space = new SearchSpace(new Dictionary<string, SearchDimension> { ["epochs"] = new(DimensionTypes.Integer, 2, 4) });
        var grid = new GridSampler(space, pointsPerDimension: 10);

        Assert.AreEqual(3L, grid.Size);
        CollectionAssert.AreEqual(new double[] { 2, 3, 4 }, Enumerable.Range(1, 3).Select(number => grid.Sample(number, [])![0]).ToArray());
    }

    [TestMethod]
    public void Random_StaysWithinBounds_LogUniformInTheLogarithm_IntegersWhole_AndIsSeeded()
    {
        var sampler = new RandomSampler(Mixed, seed: 3);

        var values = Enumerable.Range(1, 2000).Select(number => Mixed.ToHyperparameters(sampler.Sample(number, [])!)).ToList();

        var rates = values.Select(v => v["learningRate"].GetDouble()).ToList();
        Assert.IsTrue(rates.All(rate => rate is >= 1e-4 and <= 1e-1));
        // Uniform in the logarithm: about a third of the draws in each decade, where uniform draws would put 90 % in the last.
        foreach (var (low, high) in new[] { (1e-4, 1e-3), (1e-3, 1e-2), (1e-2, 1e-1) })
        {
            var share = rates.Count(rate => rate >= low && rate < high) / 2000.0;
            Assert.IsTrue(share is > 0.28 and < 0.39, $"{share:P1} of the draws in [{low}, {high})");
        }
        Assert.IsTrue(values.All(v => v["validationFraction"].GetDouble() is >= 0.1 and <= 0.3));
        var batches = values.Select(v => v["batchSize"]).ToList();
        Assert.IsTrue(batches.All(batch => batch.ValueKind == JsonValueKind.Number && batch.TryGetInt32(out var size) && size is >= 8 and <= 12));
        CollectionAssert.AreEquivalent(new[] { 8, 9, 10, 11, 12 }, batches.Select(batch => batch.GetInt32()).Distinct().ToArray(), "both ends are drawn");
        CollectionAssert.AreEquivalent(new[] { "adam", "sgd" }, values.Select(v => v["optimizer"].GetString()).Distinct().ToArray());

        CollectionAssert.AreEqual(sampler.Sample(17, [])!, new RandomSampler(Mixed, seed: 3).Sample(17, [])!, "the same seed and trial draw the same");
        CollectionAssert.AreNotEqual(sampler.Sample(17, [])!, new RandomSampler(Mixed, seed: 4).Sample(17, [])!);
    }

    [TestMethod]
    public void Tpe_OnASyntheticObjective_FindsABetterBestThanRandomSearch_WithTheSameBudgetAndSeeds()
    {
        // A valley in four dimensions: the best learning rate is 10^-2.5, the best fraction 0.23, the best batch size 32,
        // and sgd is a little better than adam.
        var space = new SearchSpace(new Dictionary<string, SearchDimension>
        {
            ["learningRate"] = new(DimensionTypes.LogUniform, 1e-6, 1),
            ["validationFraction"] = new(DimensionTypes.Uniform, 0.05, 0.5),
            ["batchSize"] = new(DimensionTypes.Integer, 1, 256),
            ["optimizer"] = new(DimensionTypes.Categorical, Choices: [Json("\"adam\""), Json("\"sgd\"")]),
        });
        double Objective(double[] point)
        {
            var values = space.ToHyperparameters(point);
            return Math.Pow(Math.Log10(values["learningRate"].GetDouble()) + 2.5, 2)
                + 25 * Math.Pow(values["validationFraction"].GetDouble() - 0.23, 2)
                + Math.Pow(Math.Log2(values["batchSize"].GetInt32()) - 5, 2) / 4
                + (values["optimizer"].GetString() == "sgd" ? 0 : 0.1);
        }
        double BestOf(ISampler sampler)
        {
            var history = new List<ObservedTrial>();
            for (var number = 1; number <= 40; number++)
            {
                var point = sampler.Sample(number, history)!;
                history.Add(new ObservedTrial(point, Objective(point), Pruned: false));
            }
            return history.Min(trial => trial.Loss);
        }

        var seeds = Enumerable.Range(1, 10).ToList();
        var tpe = seeds.Select(seed => BestOf(new TpeSampler(space, seed, startupTrials: 10))).ToList();
        var random = seeds.Select(seed => BestOf(new RandomSampler(space, seed))).ToList();

        Assert.IsLessThan(0.6 * random.Average(), tpe.Average(), $"TPE {tpe.Average():F4} against random {random.Average():F4}");
        Assert.IsGreaterThanOrEqualTo(7, seeds.Count(index => tpe[index - 1] < random[index - 1]), "TPE wins on most seeds");
        Assert.AreEqual(BestOf(new TpeSampler(space, 5, startupTrials: 10)), tpe[4], "TPE is deterministic given its seed");
    }

    [TestMethod]
    public void Tpe_BeforeItsStartupTrials_DrawsWhatRandomSearchDraws()
    {
        var tpe = new TpeSampler(Mixed, seed: 8, startupTrials: 5);
        var random = new RandomSampler(Mixed, seed: 8);

        CollectionAssert.AreEqual(random.Sample(3, [])!, tpe.Sample(3, [new ObservedTrial([0.01, 9, 0, 0.2], 1, false)])!);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
