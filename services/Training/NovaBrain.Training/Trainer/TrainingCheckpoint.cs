using System.IO.Compression;
using System.Text.Json;

namespace NovaBrain.Training.Trainer;

/// <summary>
/// Everything needed to continue a run after <see cref="CompletedEpochs"/> as if it had never stopped: the network's
/// and the optimiser's state (TorchSharp's own formats) and the early-stopping bookkeeping. Written as a zip file.
/// </summary>
public sealed record TrainingCheckpoint(
    int CompletedEpochs, double BestValidationLoss, int EpochsWithoutImprovement, IReadOnlyList<EpochMetrics> History,
    byte[] Network, byte[] Optimizer)
{
    private const string StateEntry = "state.json";
    private const string NetworkEntry = "network.dat";
    private const string OptimizerEntry = "optimizer.dat";

    private sealed record State(int CompletedEpochs, double BestValidationLoss, int EpochsWithoutImprovement, List<EpochMetrics> History);

    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(archive, StateEntry, JsonSerializer.SerializeToUtf8Bytes(new State(CompletedEpochs, BestValidationLoss, EpochsWithoutImprovement, [.. History])));
            Write(archive, NetworkEntry, Network);
            Write(archive, OptimizerEntry, Optimizer);
        }
        return buffer.ToArray();
    }

    public static TrainingCheckpoint FromBytes(byte[] bytes)
    {
        using var archive = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        var state = JsonSerializer.Deserialize<State>(Read(archive, StateEntry))
            ?? throw new InvalidDataException("The checkpoint has no state.");
        return new TrainingCheckpoint(state.CompletedEpochs, state.BestValidationLoss, state.EpochsWithoutImprovement, state.History,
            Read(archive, NetworkEntry), Read(archive, OptimizerEntry));
    }

    private static void Write(ZipArchive archive, string name, byte[] bytes)
    {
        using var stream = archive.CreateEntry(name, CompressionLevel.Fastest).Open();
        stream.Write(bytes);
    }

    private static byte[] Read(ZipArchive archive, string name)
    {
        var entry = archive.GetEntry(name) ?? throw new InvalidDataException($"The checkpoint has no {name}.");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
