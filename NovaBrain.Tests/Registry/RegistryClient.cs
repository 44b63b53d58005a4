using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using NovaBrain.Onnx.Building;
using NovaBrain.Onnx.Format;
using NovaBrain.Tests.Auth;

namespace NovaBrain.Tests.Registry;

/// <summary>The registry's API as the tests call it through the gateway, with the bodies it answers.</summary>
public static class RegistryClient
{
    public const string Models = "/api/registry/v1/models";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A real ONNX MLP: input "input" FP32 [-1, 784], output "output" FP32 [-1, 10], opset 17.</summary>
    public static byte[] Mlp(int seed = 1, long opset = OnnxModels.DefaultOpset) => OnnxModels.Mlp([784, 32, 10], seed, opset: opset).ToByteArray();

    /// <summary>
    /// A model ONNX Runtime loads but cannot run: it reshapes its [batch, 4] input to [3], which no batch size allows.
    /// </summary>
    public static byte[] ReshapeThatCannotRun()
    {
        var graph = new GraphProto { Name = "bad-reshape" };
        graph.Input.Add(OnnxModels.TensorValue("input", 4));
        graph.Output.Add(new ValueInfoProto
        {
            Name = "output",
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
        });
        var shape = new TensorProto { Name = "shape", DataType = (int)TensorProto.Types.DataType.Int64 };
        shape.Dims.Add(1);
        shape.Int64Data.Add(3);
        graph.Initializer.Add(shape);
        graph.Node.Add(OnnxModels.Node("Reshape", ["input", "shape"], "output"));
        return OnnxModels.Model(graph).ToByteArray();
    }

    public static async Task<string> CreateModelAsync(
        this HttpClient client, bool requireApproval = false, bool allowMultipleProduction = false, Dictionary<string, string>? tags = null)
    {
        var name = Accounts.Unique("model");
        using var created = await client.PostAsJsonAsync(Models, new { name, description = "test model", tags, requireApproval, allowMultipleProduction });
        Assert.AreEqual(HttpStatusCode.Created, created.StatusCode, await created.Content.ReadAsStringAsync());
        return name;
    }

    public static async Task<HttpResponseMessage> RegisterAsync(this HttpClient client, string model, byte[] file, object metadata)
    {
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent(JsonSerializer.Serialize(metadata, Json), System.Text.Encoding.UTF8, "application/json"), "metadata");
        var artifact = new ByteArrayContent(file);
        artifact.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(artifact, "file", "model.bin");
        return await client.PostAsync($"{Models}/{model}/versions", content);
    }

    public static async Task<VersionBody> RegisterOnnxAsync(this HttpClient client, string model, int seed = 1, object? lineage = null)
    {
        using var response = await client.RegisterAsync(model, Mlp(seed), new { format = "onnx", lineage });
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<VersionBody>();
    }


    public static async Task<T> GetAsync<T>(this HttpClient client, string path) =>
        (await client.GetFromJsonAsync<T>(path, Json))!;

    public static async Task<HttpResponseMessage> ChangeStageAsync(this HttpClient client, string model, int version, object body) =>
        await client.PostAsJsonAsync($"{Models}/{model}/versions/{version}/stage", body);

    public static async Task<ResolvedBody> ResolveAsync(this HttpClient client, string reference)
    {
        using var response = await client.GetAsync($"/api/registry/v1/resolve?ref={Uri.EscapeDataString(reference)}");
        return await response.ReadAsync<ResolvedBody>();
    }

    public static string SubjectOf(string token) => Tokens.Payload(token).GetProperty("sub").GetString()!;
}

public sealed record TensorBody(string Name, string Datatype, long[] Shape);

public sealed record SignatureBody(TensorBody[] Inputs, TensorBody[] Outputs);

public sealed record ArtifactBody(string Digest, long SizeBytes);

public sealed record ValidationBody(string Status, string[] Reasons, long? Opset, string? ExecutionProvider);

public sealed record LineageBody(string[] Datasets, string[] ParameterSets, string[] Parents, string? TrainingJob, string? Template);

public sealed record VersionBody(
    string Model,
    int Version,
    string Format,
    string? Description,
    ArtifactBody Artifact,
    SignatureBody Signature,
    ValidationBody Validation,
    string Stage,
    string[] Aliases,
    Dictionary<string, string> Tags,
    Dictionary<string, double> Metrics,
    Dictionary<string, string> Params,
    LineageBody Lineage,
    string CreatedBy,
    DateTimeOffset CreatedAt);

public sealed record ResolvedBody(string Reference, string Model, int Version, string Format, ArtifactBody Artifact, string Stage, string[] Aliases, SignatureBody Signature);

public sealed record TransitionBody(
    long Id, string Kind, string Action, int? Version, string? FromStage, string? ToStage, string? Alias, int? FromVersion, int? ToVersion,
    string? Reason, string ChangedBy, string? ApprovedBy, DateTimeOffset ChangedAt);

public sealed record StageChangeBody(VersionBody Version, TransitionBody[] Transitions);

public sealed record ApprovalBody(Guid Id, string Model, int Version, string ToStage, bool ArchiveExisting, string? Reason, string Status, string RequestedBy, string? DecidedBy);

public sealed record AliasBody(string Model, string Alias, int Version);

public sealed record ModelBody(string Name, string? Description, string Owner, Dictionary<string, string> Tags, bool RequireApproval, bool AllowMultipleProduction, int LatestVersion);

public sealed record LineageNodeBody(string Id, string Kind);

public sealed record LineageEdgeBody(string From, string To, string Kind);

public sealed record LineageGraphBody(string Root, string Direction, int Depth, LineageNodeBody[] Nodes, LineageEdgeBody[] Edges);

public sealed record AuditEntryBody(string EventName, string Subject, string? Actor);
