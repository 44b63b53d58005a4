using NovaBrain.Training.Studies.Pruners;

namespace NovaBrain.Tests.Training;

/// <summary>The median and successive-halving pruners on constructed histories of losses by epoch.</summary>
[TestClass]
public sealed class PrunerTests
{
    private static IReadOnlyDictionary<int, double> Curve(params double[] losses) =>
        losses.Select((loss, index) => (Epoch: index + 1, Loss: loss)).ToDictionary(pair => pair.Epoch, pair => pair.Loss);

    [TestMethod]
    public void Median_PrunesATrialWhoseBestIsWorseThanTheOthersMedianAtThatEpoch()
    {
        var pruner = new MedianPruner(warmupEpochs: 1, minTrials: 1);
        IReadOnlyDictionary<int, double>[] others = [Curve(1.0, 0.5, 0.4), Curve(1.0, 0.7, 0.6), Curve(1.0, 0.9)];

        Assert.IsTrue(pruner.ShouldPrune(2, Curve(1.2, 0.95), others), "0.95 is worse than the median 0.7");
        Assert.IsFalse(pruner.ShouldPrune(2, Curve(1.2, 0.6), others), "0.6 is better than the median 0.7");
        Assert.IsFalse(pruner.ShouldPrune(2, Curve(0.65, 0.95), others), "its best so far, 0.65, counts, not its latest value");
        // Two others reached epoch 3: the median is (0.4 + 0.6) / 2.
        Assert.IsTrue(pruner.ShouldPrune(3, Curve(1.2, 0.95, 0.55), others));
        Assert.IsFalse(pruner.ShouldPrune(3, Curve(1.2, 0.95, 0.45), others));
    }

    [TestMethod]
    public void Median_DuringWarmUp_OrWithTooFewOthersAtTheEpoch_DoesNotPrune()
    {
        IReadOnlyDictionary<int, double>[] others = [Curve(0.1, 0.1, 0.1), Curve(0.1, 0.1)];
        var awful = Curve(9, 9, 9);

        Assert.IsFalse(new MedianPruner(warmupEpochs: 2, minTrials: 1).ShouldPrune(2, awful, others), "epoch 2 is within the warm-up");
        Assert.IsTrue(new MedianPruner(warmupEpochs: 2, minTrials: 1).ShouldPrune(3, awful, others));
        Assert.IsFalse(new MedianPruner(warmupEpochs: 0, minTrials: 2).ShouldPrune(3, awful, others), "only one other trial reached epoch 3");
        Assert.IsTrue(new MedianPruner(warmupEpochs: 0, minTrials: 2).ShouldPrune(2, awful, others));
        Assert.IsFalse(new MedianPruner(warmupEpochs: 0, minTrials: 1).ShouldPrune(1, awful, []), "alone, nothing to compare with");
    }

    [TestMethod]
    public void Asha_KeepsTheTopThirdAtEachRung_AndJudgesOnlyAtRungs()
    {
        // Rungs at 1, 3 and 9 epochs with η = 3.
        var pruner = new SuccessiveHalvingPruner(minEpochs: 1, reductionFactor: 3);
        IReadOnlyDictionary<int, double>[] others =
        [
            Curve(0.50, 0.45, 0.40), Curve(0.60, 0.50, 0.45), Curve(0.70, 0.60, 0.55), Curve(0.80), Curve(0.90),
        ];

        // Six trials at rung 1 (with this one): the best 6 / 3 = 2 continue, 0.50 and 0.60.
        Assert.IsFalse(pruner.ShouldPrune(1, Curve(0.55), others), "second best of six at rung 1");
        Assert.IsTrue(pruner.ShouldPrune(1, Curve(0.65), others), "third of six at rung 1");
        Assert.IsFalse(pruner.ShouldPrune(2, Curve(0.55, 5.0), others), "epoch 2 is no rung");
        // Four at rung 3: one continues, so only a trial better than 0.40 does.
        Assert.IsTrue(pruner.ShouldPrune(3, Curve(0.55, 0.50, 0.42), others));
        Assert.IsFalse(pruner.ShouldPrune(3, Curve(0.55, 0.50, 0.39), others));
    }

    [TestMethod]
    public void Asha_WithFewerThanEtaTrialsAtARung_PromotesOnlyTheBestSoFar()
    {
        var pruner = new SuccessiveHalvingPruner(minEpochs: 2, reductionFactor: 3);

        Assert.IsFalse(pruner.ShouldPrune(2, Curve(1, 0.8), []), "the first trial at a rung is the best there");
        Assert.IsTrue(pruner.ShouldPrune(2, Curve(1, 0.8), [Curve(1, 0.7)]));
        Assert.IsFalse(pruner.ShouldPrune(2, Curve(1, 0.6), [Curve(1, 0.7)]));
        Assert.IsFalse(pruner.ShouldPrune(4, Curve(1, 0.6, 0.6, 9), [Curve(1, 0.7, 0.5, 0.1)]), "4 is no rung when they are 2, 6, 18");
        Assert.IsTrue(pruner.ShouldPrune(6, Curve(1, 0.6, 0.6, 0.6, 0.6, 0.6), [Curve(1, 0.7, 0.5, 0.1, 0.1, 0.1)]));
    }
}
