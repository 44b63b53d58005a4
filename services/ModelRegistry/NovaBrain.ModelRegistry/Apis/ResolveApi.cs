using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NovaBrain.ModelRegistry.Infrastructure;
using NovaBrain.ModelRegistry.References;
using NovaBrain.ModelRegistry.Versions;
using NovaBrain.Security;

namespace NovaBrain.ModelRegistry.Apis;

/// <summary>Resolves <c>models:/...</c> references to one version: how serving and other services find an artifact.</summary>
public static class ResolveApi
{
    public static RouteHandlerBuilder MapResolveApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/registry/v1/resolve", Resolve)
            .WithTags("Model references")
            .WithName("ResolveModelReference")
            .WithSummary("Resolve a model reference to a version")
            .WithDescription($"?ref= is {ModelReference.ExpectedForms}; a stage resolves to the newest version in it.")
            .RequirePermission(Permissions.ModelsRead);

    public static async Task<Results<Ok<ResolvedReference>, ProblemHttpResult>> Resolve(
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "ref")] string? reference, RegistryContext context, CancellationToken cancellationToken)
    {
        if (!ModelReference.TryParse(reference, out var parsed))
        {
            return Problems.InvalidReference(reference);
        }
        if (await context.FindModelAsync(parsed.Model, cancellationToken) is not { } model)
        {
            return Problems.ReferenceNotFound(parsed, $"there is no model '{parsed.Model}'");
        }

        var versions = context.ModelVersions.AsNoTracking().Where(v => v.ModelId == model.Id);
        ModelVersion? version;
        string missing;
        if (parsed.Alias is { } alias)
        {
            version = await context.ModelAliases.Where(a => a.ModelId == model.Id && a.Name == alias)
                .Join(versions, a => a.VersionId, v => v.Id, (_, v) => v)
                .SingleOrDefaultAsync(cancellationToken);
            missing = $"'{model.Name}' has no alias '{alias}'";
        }
        else if (parsed.Stage is { } stage)
        {
            version = await versions.Where(v => v.Stage == stage).OrderByDescending(v => v.Version).FirstOrDefaultAsync(cancellationToken);
            missing = $"no version of '{model.Name}' is in {stage}";
        }
        else
        {
            version = await versions.SingleOrDefaultAsync(v => v.Version == parsed.Version, cancellationToken);
            missing = $"'{model.Name}' has no version {parsed.Version}";
        }
        if (version is null)
        {
            return Problems.ReferenceNotFound(parsed, missing);
        }

        var aliases = (await context.AliasesOfAsync(model.Id, cancellationToken))[version.Id].Order(StringComparer.Ordinal).ToArray();
        return TypedResults.Ok(new ResolvedReference(
            reference!, model.Name, version.Version, version.Format,
            new ArtifactResponse(version.ArtifactDigest, version.ArtifactSizeBytes), version.Stage, aliases, version.Signature));
    }
}
