namespace NovaBrain.Parameters.Tensors;

/// <summary>
/// L2 norms of two same-shaped float tensors and of their difference, read side by side block by block, so only a
/// block of each is in memory; the two may differ in float dtype (a float16 conversion against its source).
/// </summary>
public static class TensorComparison
{
    private const int BlockElements = 64 * 1024;

    public static bool CanCompare(TensorEntry from, TensorEntry to) =>
        TensorDtypes.IsFloat(from.Dtype) && TensorDtypes.IsFloat(to.Dtype) && from.Shape.SequenceEqual(to.Shape);

    public static async Task<TensorNorms> CompareAsync(TensorFile fromFile, TensorEntry from, TensorFile toFile, TensorEntry to, CancellationToken cancellationToken)
    {
        await using var left = new FloatReader(fromFile, from, cancellationToken);
        await using var right = new FloatReader(toFile, to, cancellationToken);
        var leftBlock = new double[BlockElements];
        var rightBlock = new double[BlockElements];
        double difference = 0, fromSquares = 0, toSquares = 0, maxAbsDifference = 0;
        int read;
        while ((read = await left.ReadAsync(leftBlock)) > 0)
        {
            if (await right.ReadAsync(rightBlock) != read)
            {
                throw new InvalidOperationException($"'{from.Name}' and '{to.Name}' have the same shape but not as many elements.");
            }
            for (var i = 0; i < read; i++)
            {
                var delta = rightBlock[i] - leftBlock[i];
                difference += delta * delta;
                fromSquares += leftBlock[i] * leftBlock[i];
                toSquares += rightBlock[i] * rightBlock[i];
                maxAbsDifference = Math.Max(maxAbsDifference, Math.Abs(delta));
            }
        }
        return new TensorNorms(Math.Sqrt(difference), Math.Sqrt(fromSquares), Math.Sqrt(toSquares), maxAbsDifference);
    }
}

/// <param name="Difference">‖to − from‖₂.</param>
/// <param name="MaxAbsDifference">max |to − from| over the elements.</param>
public sealed record TensorNorms(double Difference, double From, double To, double MaxAbsDifference);
