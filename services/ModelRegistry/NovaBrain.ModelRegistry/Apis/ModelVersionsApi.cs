using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NovaBrain.Contracts.IntegrationEvents.Registry;
using NovaBrain.EventBus.Outbox;
using NovaBrain.ModelRegistry.Infrastructure;
using NovaBrain.ModelRegistry.Lifecycle;
using NovaBrain.ModelRegistry.Lineage;
using NovaBrain.ModelRegistry.References;
using NovaBrain.ModelRegistry.Validation;
using NovaBrain.ModelRegistry.Versions;
using NovaBrain.Security;
using RegisterResult = Microsoft.AspNetCore.Http.HttpResults.Results<
    Microsoft.AspNetCore.Http.HttpResults.Created<NovaBrain.ModelRegistry.Apis.ModelVersionResponse>,
    Microsoft.AspNetCore.Http.HttpResults.ValidationProblem,
    Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult>;

namespace NovaBrain.ModelRegistry.Apis;

/// <summary>
/// Model versions: registered from a multipart upload (validated, stored in the parameter service, numbered per
/// model), read, and deleted while nothing references them.
/// </summary>
public static class ModelVersionsApi
{
    /// <summary>Room for the multipart framing and the metadata part beside the artifact.</summary>
    private const long MultipartOverheadBytes = VersionMetadata.MaxBytes + 64 * 1024;

    public static RouteGroupBuilder MapModelVersionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/registry/v1/models/{name}/versions").WithTags("Model versions");

        api.MapPost("/", RegisterVersion)
            .WithName("RegisterModelVersion")
            .WithSummary("Register a new version from an uploaded artifact")
            .WithDescription("multipart/form-data: the artifact in a part named 'file', JSON metadata (format, description, tags, metrics, params, lineage) in a part named 'metadata'. ONNX models are loaded and run once before anything is stored.")
            .RequirePermission(Permissions.ModelsWrite);
        api.MapGet("/", ListVersions)
            .WithName("ListModelVersions")
            .WithSummary("A model's versions, oldest first")
            .RequirePermission(Permissions.ModelsRead);
        api.MapGet("/{version}", GetVersion)
            .WithName("GetModelVersion")
            .WithSummary("One version of a model")
            .RequirePermission(Permissions.ModelsRead);
        api.MapDelete("/{version}", DeleteVersion)
            .WithName("DeleteModelVersion")
            .WithSummary("Delete a version nothing references")
            .WithDescription("Refused with 409 naming the references while the version holds Production, an alias, or is another version's parent.")
            .RequirePermission(Permissions.ModelsWrite);

        return api;
    }

    public static async Task<RegisterResult> RegisterVersion(
        string name, HttpRequest request, [AsParameters] VersionServices services, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!await services.Context.RegisteredModels.AnyAsync(m => m.Name == name, cancellationToken))
        {
            return Problems.ModelNotFound(name);
        }

        var options = services.Options.Value;
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = options.MaxBytes + MultipartOverheadBytes;
        }
        if (request.ContentLength > options.MaxBytes + MultipartOverheadBytes)
        {
            return Problems.ArtifactTooLarge(options.MaxBytes);
        }

        var (upload, refused) = await ArtifactUpload.ReceiveAsync(request, options, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        using (upload)
        {
            return await RegisterUploadAsync(name, upload!, services, user, cancellationToken);
        }
    }

    /// <summary>
    /// Registers a received artifact: checks its metadata and lineage, validates an ONNX model, stores the artifact
    /// and numbers the version. Both the REST upload and the gRPC stream end here; the caller disposes the upload.
    /// </summary>
    public static async Task<RegisterResult> RegisterUploadAsync(
        string name, ArtifactUpload upload, VersionServices services, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var metadata = upload.Metadata;
        if (metadata.Validate() is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var lineage = metadata.Lineage?.ToRows().Rows ?? [];
        foreach (var (_, reference, parent) in lineage)
        {
            if (parent is not null && await services.Context.FindVersionIdAsync(parent, cancellationToken) is null)
            {
                return Problems.LineageNotFound(reference);
            }
        }

        ValidationResult validation;
        if (metadata.Format == ModelFormats.Onnx)
        {
            var (passed, refusal) = services.Validator.Validate(upload.Path);
            if (refusal is not null)
            {
                return Problems.Refused(refusal);
            }
            validation = passed!;
        }
        else
        {
            validation = ValidationResult.NotValidated(metadata.Format!, metadata.Signature);
        }

        if (await services.Store.StoreAsync(upload.Path, upload.Digest, cancellationToken) is { } storeError)
        {
            return Problems.ArtifactStoreFailed(storeError);
        }

        var caller = user.Id();
        return await services.Context.WithModelLockedAsync<RegisterResult>(name, async model =>
        {
            if (model is null)
            {
                return Problems.ModelNotFound(name);
            }

            var version = new ModelVersion
            {
                Id = Guid.CreateVersion7(),
                ModelId = model.Id,
                Version = ++model.LatestVersion,
                Format = metadata.Format!,
                Description = metadata.Description,
                ArtifactDigest = upload.Digest,
                ArtifactSizeBytes = upload.SizeBytes,
                Signature = validation.Signature,
                ValidationStatus = validation.Status,
                ValidationReasons = [.. validation.Reasons],
                Opset = validation.Opset,
                ExecutionProvider = validation.ExecutionProvider,
                Stage = ModelStages.None,
                CreatedBy = caller,
                CreatedAt = DateTimeOffset.UtcNow,
                Tags = (metadata.Tags ?? []).Select(t => new ModelVersionTag { Key = t.Key, Value = t.Value }).ToList(),
                Metrics = (metadata.Metrics ?? []).Select(m => new ModelVersionMetric { Key = m.Key, Value = m.Value }).ToList(),
                Params = (metadata.Params ?? []).Select(p => new ModelVersionParam { Key = p.Key, Value = p.Value }).ToList(),
            };
            foreach (var (kind, reference, parent) in lineage)
            {
                Guid? parentId = null;
                if (parent is not null)
                {
                    // Checked again under the lock: a parent deleted since the first check is refused, not dangling.
                    parentId = await services.Context.FindVersionIdAsync(parent, cancellationToken);
                    if (parentId is null)
                    {
                        return Problems.LineageNotFound(reference);
                    }
                }
                version.Lineage.Add(new LineageReference { Kind = kind, Reference = reference, ParentVersionId = parentId });
            }

            services.Context.ModelVersions.Add(version);
            services.Outbox.Add(new ModelVersionRegistered(name, version.Version, version.Format, version.ArtifactDigest, caller));
            await services.Context.SaveChangesAsync(cancellationToken);
            return TypedResults.Created(LocationOf(name, version.Version), ModelVersionResponse.From(name, version, []));
        }, cancellationToken);
    }

    public static async Task<Results<Ok<ModelVersionResponse[]>, ProblemHttpResult>> ListVersions(
        string name, RegistryContext context, CancellationToken cancellationToken)
    {
        if (await context.FindModelAsync(name, cancellationToken) is not { } model)
        {
            return Problems.ModelNotFound(name);
        }

        var versions = await context.VersionsWithDetails().Where(v => v.ModelId == model.Id).OrderBy(v => v.Version).ToListAsync(cancellationToken);
        var aliases = await context.AliasesOfAsync(model.Id, cancellationToken);
        return TypedResults.Ok(versions.Select(v => ModelVersionResponse.From(name, v, aliases[v.Id])).ToArray());
    }

    public static async Task<Results<Ok<ModelVersionResponse>, ProblemHttpResult>> GetVersion(
        string name, string version, RegistryContext context, CancellationToken cancellationToken)
    {
        if (!RegistryQueries.TryParseVersion(version, out var number))
        {
            return Problems.InvalidVersion(version);
        }
        if (await context.FindModelAsync(name, cancellationToken) is not { } model)
        {
            return Problems.ModelNotFound(name);
        }

        return await context.VersionResponseAsync(model, number, cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : Problems.VersionNotFound(name, number);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteVersion(
        string name, string version, [AsParameters] VersionServices services, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!RegistryQueries.TryParseVersion(version, out var number))
        {
            return Problems.InvalidVersion(version);
        }

        var context = services.Context;
        return await context.WithModelLockedAsync<Results<NoContent, ProblemHttpResult>>(name, async model =>
        {
            if (model is null)
            {
                return Problems.ModelNotFound(name);
            }
            if (await context.ModelVersions.SingleOrDefaultAsync(v => v.ModelId == model.Id && v.Version == number, cancellationToken) is not { } found)
            {
                return Problems.VersionNotFound(name, number);
            }

            var referencedBy = new List<string>();
            if (found.Stage == ModelStages.Production)
            {
                referencedBy.Add("the Production stage");
            }
            referencedBy.AddRange(await context.ModelAliases.Where(a => a.VersionId == found.Id).OrderBy(a => a.Name)
                .Select(a => "alias " + a.Name).ToListAsync(cancellationToken));
            var children = await context.LineageReferences
                .Where(l => l.ParentVersionId == found.Id)
                .Join(context.ModelVersions, l => l.VersionId, v => v.Id, (_, v) => new { v.ModelId, v.Version })
                .Join(context.RegisteredModels, v => v.ModelId, m => m.Id, (v, m) => new { m.Name, v.Version })
                .OrderBy(c => c.Name).ThenBy(c => c.Version)
                .ToListAsync(cancellationToken);
            referencedBy.AddRange(children.Select(c => $"{ModelReference.ToVersion(c.Name, c.Version)} (parent of)"));
            if (referencedBy.Count > 0)
            {
                return Problems.VersionInUse(name, number, referencedBy);
            }

            context.ModelVersions.Remove(found);
            services.Outbox.Add(new ModelVersionDeleted(name, number, user.Id()));
            await context.SaveChangesAsync(cancellationToken);
            return TypedResults.NoContent();
        }, cancellationToken);
    }

    public static string LocationOf(string name, int version) =>
        $"/api/registry/v1/models/{Uri.EscapeDataString(name)}/versions/{version.ToString(CultureInfo.InvariantCulture)}";

    private static Task<Guid?> FindVersionIdAsync(this RegistryContext context, ModelReference reference, CancellationToken cancellationToken) =>
        context.ModelVersions
            .Where(v => v.Version == reference.Version)
            .Join(context.RegisteredModels.Where(m => m.Name == reference.Model), v => v.ModelId, m => m.Id, (v, _) => (Guid?)v.Id)
            .SingleOrDefaultAsync(cancellationToken);
}

/// <summary>What the version endpoints need besides the request.</summary>
public sealed record VersionServices(
    RegistryContext Context,
    IntegrationEventOutbox<RegistryContext> Outbox,
    OnnxValidator Validator,
    ArtifactStore Store,
    IOptions<ArtifactOptions> Options);
