namespace NovaBrain.Training.Studies.Pruners;

/// <summary>
/// After <paramref name="warmupEpochs"/>, prunes a trial whose best loss so far is worse than the median of the other
/// trials' losses at the same epoch, once at least <paramref name="minTrials"/> other trials have reached that epoch.
/// </summary>
public sealed class MedianPruner(int warmupEpochs, int minTrials) : IPruner
{
    public bool ShouldPrune(int epoch, IReadOnlyDictionary<int, double> trial, IReadOnlyList<IReadOnlyDictionary<int, double>> otherTrials)
    {
        if (epoch <= warmupEpochs)
        {
            return false;
        }
        var peers = otherTrials.Where(other => other.ContainsKey(epoch)).Select(other => other[epoch]).Order().ToList();
        if (peers.Count < Math.Max(1, minTrials))
        {
            return false;
        }
        var median = peers.Count % 2 == 1 ? peers[peers.Count / 2] : (peers[peers.Count / 2 - 1] + peers[peers.Count / 2]) / 2;
        var bestSoFar = trial.Where(pair => pair.Key <= epoch).Min(pair => pair.Value);
        return bestSoFar > median;
    }
}
