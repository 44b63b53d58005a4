using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Parameters.Blobs;
using NovaBrain.Parameters.Infrastructure;
using NovaBrain.Parameters.Sets;
using NovaBrain.Parameters.Tensors;
using NovaBrain.Security;

namespace NovaBrain.Parameters.Apis;

/// <summary>The tensors of parameter-set versions: as recorded at creation, and compared between two versions.</summary>
public static class TensorsApi
{
    public const string DtypeHeader = "Tensor-Dtype";

    /// <summary>The dimensions, comma-separated; empty for a scalar.</summary>
    public const string ShapeHeader = "Tensor-Shape";

    public static RouteGroupBuilder MapTensorsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{BlobsApi.BasePath}/sets").WithTags("Tensors");

        api.MapGet("/{name}/versions/{version}/tensors", ListTensors)
            .WithName("ListParameterSetVersionTensors")
            .WithSummary("A version's tensors: names, dtypes, shapes and byte sizes")
            .WithDescription("Read from safetensors headers and ONNX initializers when the version was created; other formats are 'opaque', with no tensors.")
            .RequirePermission(Permissions.ParamsRead);
        api.MapGet("/{name}/versions/{version}/tensors/{**tensor}", DownloadTensor)
            .WithName("DownloadParameterSetVersionTensor")
            .WithSummary("One tensor's bytes")
            .WithDescription($"Its little-endian elements, streamed from the blob; the {DtypeHeader} and {ShapeHeader} headers describe them.")
            .RequirePermission(Permissions.ParamsRead);
        api.MapGet("/{name}/diff", Diff)
            .WithName("DiffParameterSetVersions")
            .WithSummary("Compare two versions tensor by tensor")
            .WithDescription("?from=&to=: tensors added and removed, dtype and shape changes, and for same-shaped float tensors the L2 norm of the difference and of each side.")
            .RequirePermission(Permissions.ParamsRead);

        return api;
    }

    public static async Task<Results<Ok<TensorListResponse>, ProblemHttpResult>> ListTensors(
        string name, int version, ParametersContext context, CancellationToken cancellationToken)
    {
        if (await context.ParameterSetVersions.AsNoTracking().SingleOrDefaultAsync(v => v.Name == name && v.Version == version, cancellationToken) is not { } found)
        {
            return Problems.VersionNotFound(name, version);
        }

        var tensors = await context.TensorsOf(name, version, cancellationToken);
        return TypedResults.Ok(new TensorListResponse(
            name, version, found.Format, found.TensorLayout, found.FileMetadata, tensors.Sum(tensor => tensor.ByteSize), tensors.Select(TensorResponse.From).ToList()));
    }

    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> DownloadTensor(
        string name, int version, string tensor, ParametersContext context, IBlobStore store, HttpResponse response, CancellationToken cancellationToken)
    {
        if (await context.ParameterSetVersions.AsNoTracking().SingleOrDefaultAsync(v => v.Name == name && v.Version == version, cancellationToken) is not { } found)
        {
            return Problems.VersionNotFound(name, version);
        }

        var file = await TensorFile.OpenAsync(store, BlobDigest.Parse(found.Blob), found.TensorLayout, cancellationToken);
        if (file?.Find(tensor) is not { } entry)
        {
            file?.Dispose();
            return Problems.TensorNotFound(name, version, tensor);
        }

        response.Headers[DtypeHeader] = entry.Dtype;
        response.Headers[ShapeHeader] = string.Join(',', entry.Shape);
        response.ContentLength = entry.ByteSize;
        return TypedResults.Stream(async body =>
        {
            using (file)
            {
                await foreach (var chunk in file.ReadAsync(entry, cancellationToken))
                {
                    await body.WriteAsync(chunk, cancellationToken);
                }
            }
        }, BlobsApi.OctetStream);
    }

    public static async Task<Results<Ok<DiffResponse>, ProblemHttpResult>> Diff(
        string name, int from, int to, ParametersContext context, IBlobStore store, CancellationToken cancellationToken)
    {
        var versions = await context.ParameterSetVersions.AsNoTracking()
            .Where(v => v.Name == name && (v.Version == from || v.Version == to))
            .ToDictionaryAsync(v => v.Version, cancellationToken);
        if (!versions.TryGetValue(from, out var fromVersion))
        {
            return Problems.VersionNotFound(name, from);
        }
        if (!versions.TryGetValue(to, out var toVersion))
        {
            return Problems.VersionNotFound(name, to);
        }

        var fromTensors = (await context.TensorsOf(name, from, cancellationToken)).ToDictionary(tensor => tensor.Name, StringComparer.Ordinal);
        var toTensors = (await context.TensorsOf(name, to, cancellationToken)).ToDictionary(tensor => tensor.Name, StringComparer.Ordinal);

        using var fromFile = await TensorFile.OpenAsync(store, BlobDigest.Parse(fromVersion.Blob), fromVersion.TensorLayout, cancellationToken);
        using var toFile = await TensorFile.OpenAsync(store, BlobDigest.Parse(toVersion.Blob), toVersion.TensorLayout, cancellationToken);
        var common = new List<TensorDelta>();
        foreach (var (tensorName, left) in fromTensors)
        {
            if (!toTensors.TryGetValue(tensorName, out var right))
            {
                continue;
            }

            var (fromEntry, toEntry) = (left.ToEntry(), right.ToEntry());
            var norms = fromFile is not null && toFile is not null && TensorComparison.CanCompare(fromEntry, toEntry)
                ? await TensorComparison.CompareAsync(fromFile, fromEntry, toFile, toEntry, cancellationToken)
                : null;
            common.Add(new TensorDelta(
                tensorName, left.Dtype, right.Dtype, left.Shape, right.Shape,
                DtypeChanged: left.Dtype != right.Dtype, ShapeChanged: !left.Shape.SequenceEqual(right.Shape), norms));
        }

        return TypedResults.Ok(new DiffResponse(
            name, from, to,
            Added: toTensors.Values.Where(tensor => !fromTensors.ContainsKey(tensor.Name)).Select(TensorResponse.From).ToList(),
            Removed: fromTensors.Values.Where(tensor => !toTensors.ContainsKey(tensor.Name)).Select(TensorResponse.From).ToList(),
            Common: common));
    }

    private static Task<List<ParameterTensor>> TensorsOf(this ParametersContext context, string name, int version, CancellationToken cancellationToken) =>
        context.ParameterTensors.AsNoTracking()
            .Where(tensor => tensor.SetName == name && tensor.Version == version)
            .OrderBy(tensor => tensor.Position)
            .ToListAsync(cancellationToken);

    private static TensorEntry ToEntry(this ParameterTensor tensor) => new(tensor.Name, tensor.Dtype, tensor.Shape, tensor.ByteSize);
}

public sealed record TensorResponse(string Name, string Dtype, long[] Shape, long ByteSize)
{
    public static TensorResponse From(ParameterTensor tensor) => new(tensor.Name, tensor.Dtype, tensor.Shape, tensor.ByteSize);
}

/// <param name="Layout">How the blob was read: <c>safetensors</c>, <c>onnx</c>, or <c>opaque</c> (a format without tensors to read).</param>
/// <param name="Metadata">The file's own metadata (safetensors <c>__metadata__</c>, ONNX <c>metadata_props</c>).</param>
public sealed record TensorListResponse(
    string Name, int Version, string Format, string Layout, IReadOnlyDictionary<string, string> Metadata, long TotalBytes, IReadOnlyList<TensorResponse> Tensors);

/// <param name="Norms">For float tensors of the same shape on both sides; null otherwise.</param>
public sealed record TensorDelta(
    string Name, string FromDtype, string ToDtype, long[] FromShape, long[] ToShape, bool DtypeChanged, bool ShapeChanged, TensorNorms? Norms);

public sealed record DiffResponse(
    string Name, int From, int To, IReadOnlyList<TensorResponse> Added, IReadOnlyList<TensorResponse> Removed, IReadOnlyList<TensorDelta> Common);
