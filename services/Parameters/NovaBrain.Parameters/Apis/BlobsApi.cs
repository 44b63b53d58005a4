using System.Buffers;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using NovaBrain.Parameters.Blobs;
using NovaBrain.Parameters.Infrastructure;
using NovaBrain.Security;

namespace NovaBrain.Parameters.Apis;

/// <summary>
/// Content-addressed blobs: bodies streamed to the store and verified against their SHA-256 on the way, downloads
/// with ETag and HTTP ranges.
/// </summary>
public static class BlobsApi
{
    public const string BasePath = "/api/params/v1";
    public const string OctetStream = "application/octet-stream";

    public static RouteGroupBuilder MapBlobsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{BasePath}/blobs").WithTags("Blobs");

        api.MapPut("/{digest}", PutBlob)
            .WithName("PutBlob")
            .WithSummary("Store a blob under its digest")
            .WithDescription("The raw body is streamed to the store and must hash to the digest (sha256:<hex>); a blob stored already answers 200.")
            .WithMetadata(new DisableRequestSizeLimitAttribute())
            .RequirePermission(Permissions.ParamsWrite);
        api.MapPost("/", PostBlob)
            .WithName("PostBlob")
            .WithSummary("Store a blob and learn its digest")
            .WithDescription("The raw body is streamed to the store and named by the SHA-256 computed on the way.")
            .WithMetadata(new DisableRequestSizeLimitAttribute())
            .RequirePermission(Permissions.ParamsWrite);
        api.MapMethods("/{digest}", [HttpMethods.Get, HttpMethods.Head], GetBlob)
            .WithName("GetBlob")
            .WithSummary("Download a blob")
            .WithDescription("Streams the bytes with ETag \"sha256:<hex>\"; Range requests answer 206.")
            .RequirePermission(Permissions.ParamsRead);
        api.MapGet("/{digest}/info", GetBlobInfo)
            .WithName("GetBlobInfo")
            .WithSummary("A blob's digest, size and creation")
            .RequirePermission(Permissions.ParamsRead);

        return api;
    }

    public static async Task<Results<Created<BlobResponse>, Ok<BlobResponse>, ProblemHttpResult>> PutBlob(
        string digest, [AsParameters] BlobServices services, HttpRequest request, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!BlobDigest.TryParse(digest, out var expected))
        {
            return Problems.InvalidDigest(digest);
        }
        if (request.ContentLength > services.MaxBlobBytes)
        {
            return Problems.TooLarge(services.MaxBlobBytes);
        }

        if (services.Store.SizeOf(expected) is { } size)
        {
            // Stored already: the body is read and dropped, not written again.
            if (!await DrainAsync(request.Body, services.MaxBlobBytes, cancellationToken))
            {
                return Problems.TooLarge(services.MaxBlobBytes);
            }
            var existing = await services.Context.RecordAsync(new BlobWriteResult(BlobWriteStatus.Existing, expected, size), user, cancellationToken);
            return TypedResults.Ok(BlobResponse.From(existing));
        }

        var written = await services.Store.WriteAsync(request.Body, expected, services.MaxBlobBytes, cancellationToken);
        return await services.AnswerAsync(written, expected, user, cancellationToken);
    }

    public static async Task<Results<Created<BlobResponse>, Ok<BlobResponse>, ProblemHttpResult>> PostBlob(
        [AsParameters] BlobServices services, HttpRequest request, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (request.ContentLength > services.MaxBlobBytes)
        {
            return Problems.TooLarge(services.MaxBlobBytes);
        }

        var written = await services.Store.WriteAsync(request.Body, expected: null, services.MaxBlobBytes, cancellationToken);
        return await services.AnswerAsync(written, written.Digest, user, cancellationToken);
    }

    public static Results<FileStreamHttpResult, ProblemHttpResult> GetBlob(string digest, IBlobStore store)
    {
        if (!BlobDigest.TryParse(digest, out var parsed))
        {
            return Problems.InvalidDigest(digest);
        }

        return store.OpenRead(parsed) is { } content
            ? TypedResults.Stream(content, OctetStream, entityTag: ETagOf(parsed), enableRangeProcessing: true)
            : Problems.BlobNotFound(parsed);
    }

    public static async Task<Results<Ok<BlobResponse>, ProblemHttpResult>> GetBlobInfo(
        string digest, ParametersContext context, CancellationToken cancellationToken)
    {
        if (!BlobDigest.TryParse(digest, out var parsed))
        {
            return Problems.InvalidDigest(digest);
        }

        return await context.FindAsync(parsed, cancellationToken) is { } blob
            ? TypedResults.Ok(BlobResponse.From(blob))
            : Problems.BlobNotFound(parsed);
    }

    public static string LocationOf(BlobDigest digest) => $"{BasePath}/blobs/{digest}";

    /// <summary>Reads a body to its end without keeping it; false once it exceeds <paramref name="maxBytes"/>.</summary>
    private static async Task<bool> DrainAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if ((total += read) > maxBytes)
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static EntityTagHeaderValue ETagOf(BlobDigest digest) => new($"\"{digest}\"");
}

/// <summary>What the blob endpoints need besides the request.</summary>
public sealed record BlobServices(IBlobStore Store, ParametersContext Context, IOptions<BlobStorageOptions> Options)
{
    public long MaxBlobBytes => Options.Value.MaxBlobBytes;

    /// <summary>The answer to a write: 201 for a new blob, 200 for one stored already, a problem otherwise.</summary>
    public async Task<Results<Created<BlobResponse>, Ok<BlobResponse>, ProblemHttpResult>> AnswerAsync(
        BlobWriteResult written, BlobDigest expected, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        switch (written.Status)
        {
            case BlobWriteStatus.TooLarge:
                return Problems.TooLarge(MaxBlobBytes);
            case BlobWriteStatus.DigestMismatch:
                return Problems.DigestMismatch(expected, written.Digest);
            default:
                var blob = BlobResponse.From(await Context.RecordAsync(written, user, cancellationToken));
                return written.Status == BlobWriteStatus.Created
                    ? TypedResults.Created(BlobsApi.LocationOf(written.Digest), blob)
                    : TypedResults.Ok(blob);
        }
    }
}

public sealed record BlobResponse(string Digest, long Size, DateTimeOffset CreatedAt)
{
    public static BlobResponse From(Blob blob) => new(blob.Digest, blob.Size, blob.CreatedAt);
}
