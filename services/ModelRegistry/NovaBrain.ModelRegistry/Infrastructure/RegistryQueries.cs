using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NovaBrain.ModelRegistry.Apis;
using NovaBrain.ModelRegistry.Models;
using NovaBrain.ModelRegistry.Versions;
using NovaBrain.Security;

namespace NovaBrain.ModelRegistry.Infrastructure;

/// <summary>The reads the registry's endpoints share.</summary>
public static class RegistryQueries
{
    /// <summary>The caller's <c>sub</c>, which every write records.</summary>
    public static string Id(this ClaimsPrincipal caller) =>
        caller.FindFirstValue(NovaBrainClaimTypes.Subject)
        ?? throw new InvalidOperationException("An authenticated caller always carries a 'sub' claim.");

    public static bool HasPermission(this ClaimsPrincipal caller, string permission) =>
        caller.HasClaim(NovaBrainClaimTypes.Permission, permission);

    /// <summary>A version number from the route: a positive integer, parsed here so that anything else answers 400.</summary>
    public static bool TryParseVersion(string value, out int version) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;

    public static Task<RegisteredModel?> FindModelAsync(this RegistryContext context, string name, CancellationToken cancellationToken) =>
        context.RegisteredModels.AsNoTracking().Include(m => m.Tags).SingleOrDefaultAsync(m => m.Name == name, cancellationToken);

    /// <summary>Versions with their tags, metrics, params and lineage.</summary>
    public static IQueryable<ModelVersion> VersionsWithDetails(this RegistryContext context) =>
        context.ModelVersions.AsNoTracking()
            .Include(v => v.Tags).Include(v => v.Metrics).Include(v => v.Params).Include(v => v.Lineage)
            .AsSplitQuery();

    /// <summary>The aliases of a model's versions, by version id.</summary>
    public static async Task<ILookup<Guid, string>> AliasesOfAsync(this RegistryContext context, Guid modelId, CancellationToken cancellationToken) =>
        (await context.ModelAliases.AsNoTracking().Where(a => a.ModelId == modelId).ToListAsync(cancellationToken))
            .ToLookup(a => a.VersionId, a => a.Name);

    public static async Task<ModelVersionResponse?> VersionResponseAsync(
        this RegistryContext context, RegisteredModel model, int number, CancellationToken cancellationToken)
    {
        var version = await context.VersionsWithDetails().SingleOrDefaultAsync(v => v.ModelId == model.Id && v.Version == number, cancellationToken);
        return version is null ? null : ModelVersionResponse.From(model.Name, version, (await context.AliasesOfAsync(model.Id, cancellationToken))[version.Id]);
    }
}
