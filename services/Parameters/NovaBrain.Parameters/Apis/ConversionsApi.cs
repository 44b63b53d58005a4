using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Parameters.Blobs;
using NovaBrain.Parameters.Optimization;
using NovaBrain.Parameters.Tensors;
using NovaBrain.Security;

namespace NovaBrain.Parameters.Apis;

/// <summary>Optimization: a version's float32 tensors converted to float16 or int8, stored as a new version of the same set.</summary>
public static class ConversionsApi
{
    public const string ConvertedFromTag = "converted-from";
    public const string ConversionTag = "conversion";

    public static RouteGroupBuilder MapConversionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{BlobsApi.BasePath}/sets").WithTags("Optimization");

        api.MapPost("/{name}/versions/{version}/convert", Convert)
            .WithName("ConvertParameterSetVersion")
            .WithSummary("Convert a version's float32 tensors to float16 or int8 as a new version")
            .WithDescription(
                "{\"to\":\"float16\"} or {\"to\":\"int8\",\"granularity\":\"per-tensor\"|\"per-channel\"} (symmetric; per channel along axis 0). " +
                "The new version has the source as sourceVersion and the tags converted-from and conversion; the answer reports sizes and the " +
                "maximum and mean absolute error of the dequantized values.")
            .RequirePermission(Permissions.ParamsWrite);

        return api;
    }

    public static async Task<Results<Created<ConversionResponse>, ValidationProblem, ProblemHttpResult>> Convert(
        string name, int version, ConvertRequest request, [AsParameters] SetServices services, ParameterConverter converter,
        ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (Conversion.Parse(request.To, request.Granularity, out var errors) is not { } conversion)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await services.Context.ParameterSetVersions.AsNoTracking().SingleOrDefaultAsync(v => v.Name == name && v.Version == version, cancellationToken) is not { } source)
        {
            return Problems.VersionNotFound(name, version);
        }

        ConversionResult result;
        try
        {
            result = await converter.ConvertAsync(source, conversion, cancellationToken);
        }
        catch (ConversionRefusedException refused)
        {
            return Problems.ConversionRefused(refused);
        }

        var blob = await services.Context.RecordAsync(result.Stored, user, cancellationToken);
        var index = await TensorIndex.ReadAsync(services.Store, result.Stored.Digest, source.Format, cancellationToken);
        var created = await services.AddVersionAsync(
            name,
            new CreateVersionRequest(
                blob.Digest,
                source.Format,
                $"{conversion} conversion of version {version}",
                new Dictionary<string, string>
                {
                    [ConvertedFromTag] = version.ToString(CultureInfo.InvariantCulture),
                    [ConversionTag] = conversion.ToString(),
                },
                SourceVersion: version),
            blob, index, user, cancellationToken);
        if (created.Result is not Created<VersionResponse> { Value: { } added })
        {
            return created.Result switch
            {
                ValidationProblem invalid => invalid,
                ProblemHttpResult problem => problem,
                _ => throw new InvalidOperationException($"Unexpected result {created.Result}."),
            };
        }

        var originalBytes = source.Size;
        return TypedResults.Created(ParameterSetsApi.LocationOf(name, added.Version), new ConversionResponse(
            added,
            conversion.To,
            conversion.Granularity,
            originalBytes,
            blob.Size,
            SizeReduction: originalBytes == 0 ? 0 : 1 - (double)blob.Size / originalBytes,
            CompressionRatio: blob.Size == 0 ? 0 : (double)originalBytes / blob.Size,
            result.MaxAbsError,
            result.MeanAbsError,
            result.Tensors));
    }
}

/// <param name="To"><c>float16</c> or <c>int8</c>.</param>
/// <param name="Granularity">For int8: <c>per-tensor</c> (the default) or <c>per-channel</c>.</param>
public sealed record ConvertRequest(string? To, string? Granularity = null);

/// <param name="SizeReduction">The share of bytes saved: 1 − converted / original.</param>
/// <param name="CompressionRatio">original / converted.</param>
/// <param name="MeanAbsError">Over every converted element.</param>
public sealed record ConversionResponse(
    VersionResponse Version,
    string To,
    string? Granularity,
    long OriginalBytes,
    long ConvertedBytes,
    double SizeReduction,
    double CompressionRatio,
    double MaxAbsError,
    double MeanAbsError,
    IReadOnlyList<ConvertedTensor> Tensors);
