using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Parameters.Blobs;
using NovaBrain.Security;

namespace NovaBrain.Parameters.Apis;

/// <summary>
/// Resumable uploads: start one, append chunks at the offset the service confirmed last (<c>Upload-Offset</c>), and
/// finish it with the whole file's digest, which moves it into the blob store once verified.
/// </summary>
public static class UploadsApi
{
    public const string OffsetHeader = "Upload-Offset";

    public static RouteGroupBuilder MapUploadsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{BlobsApi.BasePath}/uploads").WithTags("Uploads");

        api.MapPost("/", StartUpload)
            .WithName("StartUpload")
            .WithSummary("Start a resumable upload")
            .WithDescription("Optionally announces the digest (?digest=sha256:<hex>) that finishing the upload must match.")
            .RequirePermission(Permissions.ParamsWrite);
        api.MapPatch("/{id:guid}", AppendChunk)
            .WithName("AppendUploadChunk")
            .WithSummary("Append a chunk at the upload's offset")
            .WithDescription("The raw body is appended when the Upload-Offset header equals the upload's length; otherwise 409 with the current offset.")
            .WithMetadata(new DisableRequestSizeLimitAttribute())
            .RequirePermission(Permissions.ParamsWrite);
        api.MapGet("/{id:guid}", GetUpload)
            .WithName("GetUpload")
            .WithSummary("An upload's offset: where its next chunk starts")
            .RequirePermission(Permissions.ParamsWrite);
        api.MapPut("/{id:guid}", FinishUpload)
            .WithName("FinishUpload")
            .WithSummary("Finish an upload: verify its digest and store it as a blob")
            .WithDescription("A last chunk may come in the body, with Upload-Offset. A digest mismatch discards the upload.")
            .WithMetadata(new DisableRequestSizeLimitAttribute())
            .RequirePermission(Permissions.ParamsWrite);
        api.MapDelete("/{id:guid}", CancelUpload)
            .WithName("CancelUpload")
            .WithSummary("Cancel an upload and discard its bytes")
            .RequirePermission(Permissions.ParamsWrite);

        return api;
    }

    public static async Task<Results<Created<UploadResponse>, ProblemHttpResult>> StartUpload(
        string? digest, [AsParameters] BlobServices services, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        BlobDigest? expected = null;
        if (digest is not null)
        {
            if (!BlobDigest.TryParse(digest, out var parsed))
            {
                return Problems.InvalidDigest(digest);
            }
            expected = parsed;
        }

        var now = DateTimeOffset.UtcNow;
        var upload = new Upload
        {
            Id = Guid.CreateVersion7(),
            ExpectedDigest = expected?.ToString(),
            CreatedAt = now,
            UpdatedAt = now,
            CreatedBy = user.Id(),
        };
        await services.Store.CreateUploadAsync(upload.Id, cancellationToken);
        services.Context.Uploads.Add(upload);
        await services.Context.SaveChangesAsync(cancellationToken);
        return TypedResults.Created(LocationOf(upload.Id), UploadResponse.From(upload));
    }

    public static async Task<Results<Ok<UploadResponse>, ProblemHttpResult>> AppendChunk(
        Guid id, [AsParameters] BlobServices services, HttpContext http, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await services.FindUploadAsync(id, user, cancellationToken) is not { } upload)
        {
            return Problems.UploadNotFound(id);
        }
        if (ReadOffset(http.Request) is not { } offset)
        {
            return Problems.OffsetRequired();
        }

        return await services.AppendAsync(upload, offset, http, cancellationToken) is { } refused
            ? refused
            : Confirmed(upload, http.Response);
    }

    public static async Task<Results<Ok<UploadResponse>, ProblemHttpResult>> GetUpload(
        Guid id, [AsParameters] BlobServices services, HttpResponse response, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await services.FindUploadAsync(id, user, cancellationToken) is { } upload
            ? Confirmed(upload, response)
            : Problems.UploadNotFound(id);

    public static async Task<Results<Created<BlobResponse>, Ok<BlobResponse>, ProblemHttpResult>> FinishUpload(
        Guid id, string? digest, [AsParameters] BlobServices services, HttpContext http, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await services.FindUploadAsync(id, user, cancellationToken) is not { } upload)
        {
            return Problems.UploadNotFound(id);
        }

        BlobDigest expected;
        if (digest is not null)
        {
            if (!BlobDigest.TryParse(digest, out expected))
            {
                return Problems.InvalidDigest(digest);
            }
            if (upload.ExpectedDigest is { } announced && announced != expected.ToString())
            {
                return Problems.DigestConflict(announced, expected);
            }
        }
        else if (upload.ExpectedDigest is { } announced)
        {
            expected = BlobDigest.Parse(announced);
        }
        else
        {
            return Problems.DigestRequired();
        }

        var request = http.Request;
        if (ReadOffset(request) is { } offset)
        {
            if (await services.AppendAsync(upload, offset, http, cancellationToken) is { } refused)
            {
                return refused;
            }
        }
        else if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            return Problems.OffsetRequired();
        }

        var committed = await services.Store.CommitUploadAsync(id, expected, cancellationToken);
        if (committed.Status == BlobWriteStatus.UploadBusy)
        {
            return Problems.UploadBusy(id, committed.Size);
        }
        services.Context.Uploads.Remove(upload);
        await services.Context.SaveChangesAsync(cancellationToken);
        return await services.AnswerAsync(committed, expected, user, cancellationToken);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> CancelUpload(
        Guid id, [AsParameters] BlobServices services, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await services.FindUploadAsync(id, user, cancellationToken) is not { } upload)
        {
            return Problems.UploadNotFound(id);
        }

        services.Store.DeleteUpload(id);
        services.Context.Uploads.Remove(upload);
        await services.Context.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    public static string LocationOf(Guid id) => $"{BlobsApi.BasePath}/uploads/{id}";

    private static Task<Upload?> FindUploadAsync(this BlobServices services, Guid id, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var caller = user.Id();
        return services.Context.Uploads.SingleOrDefaultAsync(upload => upload.Id == id && upload.CreatedBy == caller, cancellationToken);
    }

    /// <summary>Appends the request body at <paramref name="offset"/>; null when it was, the refusal otherwise.</summary>
    private static async Task<ProblemHttpResult?> AppendAsync(
        this BlobServices services, Upload upload, long offset, HttpContext http, CancellationToken cancellationToken)
    {
        if (offset + http.Request.ContentLength > services.MaxBlobBytes)
        {
            return Problems.TooLarge(services.MaxBlobBytes);
        }

        var appended = await services.Store.AppendAsync(upload.Id, offset, http.Request.Body, services.MaxBlobBytes, cancellationToken);
        switch (appended.Status)
        {
            case UploadAppendStatus.NotFound:
                return Problems.UploadNotFound(upload.Id);
            case UploadAppendStatus.OffsetMismatch:
                http.Response.Headers[OffsetHeader] = appended.Offset.ToString(CultureInfo.InvariantCulture);
                return Problems.OffsetMismatch(upload.Id, appended.Offset);
            case UploadAppendStatus.TooLarge:
                return Problems.TooLarge(services.MaxBlobBytes);
        }

        upload.Offset = appended.Offset;
        upload.UpdatedAt = DateTimeOffset.UtcNow;
        await services.Context.SaveChangesAsync(cancellationToken);
        return null;
    }

    private static Ok<UploadResponse> Confirmed(Upload upload, HttpResponse response)
    {
        response.Headers[OffsetHeader] = upload.Offset.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(UploadResponse.From(upload));
    }

    private static long? ReadOffset(HttpRequest request) =>
        long.TryParse(request.Headers[OffsetHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : null;
}

public sealed record UploadResponse(Guid Id, long Offset)
{
    public static UploadResponse From(Upload upload) => new(upload.Id, upload.Offset);
}
