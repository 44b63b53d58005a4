namespace NovaBrain.Training.Studies.Pruners;

/// <summary>
/// Asynchronous successive halving (ASHA, Li et al. 2020): rungs at <c>minEpochs·η^k</c> epochs; a trial continues
/// past a rung only if its loss there is among the best ⌊n/η⌋ of the n trials that have reached the rung so far (the
/// best one while fewer than η have), so roughly 1/η of the trials survive each rung.
/// </summary>
public sealed class SuccessiveHalvingPruner(int minEpochs, int reductionFactor) : IPruner
{
    private bool IsRung(int epoch)
    {
        for (long rung = minEpochs; rung <= epoch; rung *= reductionFactor)
        {
            if (rung == epoch)
            {
                return true;
            }
        }
        return false;
    }

    public bool ShouldPrune(int epoch, IReadOnlyDictionary<int, double> trial, IReadOnlyList<IReadOnlyDictionary<int, double>> otherTrials)
    {
        if (!IsRung(epoch) || !trial.TryGetValue(epoch, out var loss))
        {
            return false;
        }
        var competitors = otherTrials.Where(other => other.ContainsKey(epoch)).Select(other => other[epoch]).Append(loss).Order().ToList();
        var promotable = Math.Max(1, competitors.Count / reductionFactor);
        return loss > competitors[promotable - 1];
    }
}
