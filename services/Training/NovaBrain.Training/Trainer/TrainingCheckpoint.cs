using System.IO.Compression;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NovaBrain.Training.Trainer;

/// <summary>
/// Everything needed to continue a run after <see cref="CompletedEpochs"/> and <see cref="Partial"/>'s steps of the
/// next epoch as if it had never stopped: the network's and the optimiser's state (TorchSharp's own formats), the
/// early-stopping bookkeeping and, when early stopping keeps the best epoch's weights, those weights. Written as a zip file.
/// </summary>
public sealed record TrainingCheckpoint(
    int CompletedEpochs, double BestValidationLoss, int EpochsWithoutImprovement, IReadOnlyList<EpochMetrics> History,
    byte[] Network, byte[] Optimizer, byte[]? BestNetwork, PartialEpoch? Partial = null)
{
    private const string StateEntry = "state.json";
    private const string NetworkEntry = "network.dat";
    private const string OptimizerEntry = "optimizer.dat";
    private const string BestNetworkEntry = "best-network.dat";

    private sealed record State(
        int CompletedEpochs, double BestValidationLoss, int EpochsWithoutImprovement, List<EpochMetrics> History, PartialEpoch? Partial);

    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(archive, StateEntry, JsonSerializer.SerializeToUtf8Bytes(new State(CompletedEpochs, BestValidationLoss, EpochsWithoutImprovement, [.. History], Partial)));
            Write(archive, NetworkEntry, Network);
            Write(archive, OptimizerEntry, Optimizer);
            if (BestNetwork is not null)
            {
                Write(archive, BestNetworkEntry, BestNetwork);
            }
        }
        return buffer.ToArray();
    }

    public static TrainingCheckpoint FromBytes(byte[] bytes)
    {
        using var archive = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        var state = JsonSerializer.Deserialize<State>(Read(archive, StateEntry) ?? throw new InvalidDataException($"The checkpoint has no {StateEntry}."))
            ?? throw new InvalidDataException("The checkpoint has no state.");
        return new TrainingCheckpoint(state.CompletedEpochs, state.BestValidationLoss, state.EpochsWithoutImprovement, state.History,
            Read(archive, NetworkEntry) ?? throw new InvalidDataException($"The checkpoint has no {NetworkEntry}."),
            Read(archive, OptimizerEntry) ?? throw new InvalidDataException($"The checkpoint has no {OptimizerEntry}."),
            Read(archive, BestNetworkEntry), state.Partial);
    }

    internal static TrainingCheckpoint Capture(
        nn.Module network, OptimizerHelper optimizer, int completedEpochs, double best, int withoutImprovement,
        List<EpochMetrics> history, byte[]? bestNetwork, PartialEpoch? partial = null) =>
        new(completedEpochs, best, withoutImprovement, [.. history], Save(network), InMemory(optimizer.save_state_dict), bestNetwork, partial);

    internal static void Restore(nn.Module network, OptimizerHelper optimizer, TrainingCheckpoint checkpoint)
    {
        Load(network, checkpoint.Network);
        InMemory(checkpoint.Optimizer, optimizer.load_state_dict);
    }

    internal static byte[] Save(nn.Module network) => InMemory(writer => network.save(writer));

    internal static void Load(nn.Module network, byte[] bytes) => InMemory(bytes, reader => network.load(reader));

    private static byte[] InMemory(Action<BinaryWriter> save)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer))
        {
            save(writer);
        }
        return buffer.ToArray();
    }

    private static void InMemory(byte[] bytes, Action<BinaryReader> load)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        load(reader);
    }

    private static void Write(ZipArchive archive, string name, byte[] bytes)
    {
        using var stream = archive.CreateEntry(name, CompressionLevel.Fastest).Open();
        stream.Write(bytes);
    }

    private static byte[]? Read(ZipArchive archive, string name)
    {
        if (archive.GetEntry(name) is not { } entry)
        {
            return null;
        }
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>The part of an epoch done when a step checkpoint was taken: its steps and the training loss summed over their rows.</summary>
public sealed record PartialEpoch(int Steps, double LossSum, long Rows);
