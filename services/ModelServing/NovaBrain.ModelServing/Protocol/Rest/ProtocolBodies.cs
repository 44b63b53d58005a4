using System.Text.Json;
using NovaBrain.ModelServing.Deployments;
using NovaBrain.ModelServing.Engines;
using NovaBrain.ModelServing.Metrics;

namespace NovaBrain.ModelServing.Protocol.Rest;

// The protocol's JSON bodies, written with snake_case names as the protocol and Triton spell them.

public sealed record ErrorBody(string Error);

public sealed record LiveBody(bool Live);

public sealed record ReadyBody(bool Ready);

public sealed record ModelReadyBody(string Name, bool Ready);

public sealed record ServerMetadataBody(string Name, string Version, IReadOnlyList<string> Extensions);

public sealed record TensorMetadataBody(string Name, string Datatype, long[] Shape)
{
    public static TensorMetadataBody From(TensorSpec spec) => new(spec.Name, spec.DataType.ProtocolName(), spec.Shape);
}

/// <summary>Model metadata; <c>properties</c> names the execution provider, the registry reference and the resolved model.</summary>
public sealed record ModelMetadataBody(
    string Name, IReadOnlyList<string> Versions, string Platform, IReadOnlyList<TensorMetadataBody> Inputs, IReadOnlyList<TensorMetadataBody> Outputs,
    IReadOnlyDictionary<string, string> Properties)
{
    /// <param name="versions">Every version serving the model: the primary and a canary beside it.</param>
    public static ModelMetadataBody From(ServedModel served, IEnumerable<ServedModel> versions) => new(
        served.Name,
        versions.Select(version => version.Version).ToArray(),
        served.Platform,
        served.Inputs.Select(TensorMetadataBody.From).ToArray(),
        served.Outputs.Select(TensorMetadataBody.From).ToArray(),
        PropertiesOf(served));

    public static IReadOnlyDictionary<string, string> PropertiesOf(ServedModel served) => new Dictionary<string, string>
    {
        ["provider"] = served.Provider,
        ["reference"] = served.Source.Reference,
        ["registry_model"] = served.Source.Model,
        ["max_batch_size"] = served.Batching.MaxBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

public sealed record DurationBody(long Count, long Ns)
{
    public static DurationBody From((long Count, long Nanoseconds) duration) => new(duration.Count, duration.Nanoseconds);
}

public sealed record InferStatisticsBody(
    DurationBody Success, DurationBody Fail, DurationBody Queue, DurationBody ComputeInput, DurationBody ComputeInfer, DurationBody ComputeOutput);

public sealed record BatchStatisticsBody(long BatchSize, DurationBody ComputeInput, DurationBody ComputeInfer, DurationBody ComputeOutput);

public sealed record ModelStatisticsBody(
    string Name, string Version, long LastInference, long InferenceCount, long ExecutionCount, InferStatisticsBody InferenceStats,
    IReadOnlyList<BatchStatisticsBody> BatchStats)
{
    public static ModelStatisticsBody From(ModelStatistics statistics) => new(
        statistics.Model,
        statistics.Version,
        statistics.LastInferenceMilliseconds,
        statistics.InferenceCount,
        statistics.ExecutionCount,
        new InferStatisticsBody(
            DurationBody.From(statistics.Success), DurationBody.From(statistics.Failure), DurationBody.From(statistics.Queue),
            DurationBody.From(statistics.ComputeInput), DurationBody.From(statistics.ComputeInfer), DurationBody.From(statistics.ComputeOutput)),
        statistics.Batches.OrderBy(batch => batch.Key)
            .Select(batch => new BatchStatisticsBody(batch.Key, DurationBody.From(batch.Value.Input), DurationBody.From(batch.Value.Infer), DurationBody.From(batch.Value.Output)))
            .ToArray());
}

public sealed record StatisticsBody(IReadOnlyList<ModelStatisticsBody> ModelStats);

public sealed record RepositoryIndexRequestBody(bool? Ready);

public sealed record RepositoryIndexEntryBody(string Name, string? Version, string State, string Reason);

public static class ProtocolJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
