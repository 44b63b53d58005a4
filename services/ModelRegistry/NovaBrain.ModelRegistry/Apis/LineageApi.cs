using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NovaBrain.ModelRegistry.Infrastructure;
using NovaBrain.ModelRegistry.Lineage;
using NovaBrain.ModelRegistry.References;
using NovaBrain.Security;

namespace NovaBrain.ModelRegistry.Apis;

/// <summary>What a version was produced from (upstream) and what was produced from it (downstream).</summary>
public static class LineageApi
{
    public static RouteHandlerBuilder MapLineageApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/registry/v1/models/{name}/versions/{version}/lineage", GetLineage)
            .WithTags("Lineage")
            .WithName("GetModelVersionLineage")
            .WithSummary("A version's lineage graph")
            .WithDescription($"?direction=upstream (datasets, parameter sets, parent versions, job, template; the default) or downstream (versions derived from it); ?depth= 1 to {LineageGraphs.MaxDepth} (default 5) levels of model versions.")
            .RequirePermission(Permissions.ModelsRead);

    public static async Task<Results<Ok<LineageGraph>, ValidationProblem, ProblemHttpResult>> GetLineage(
        string name, string version, RegistryContext context, CancellationToken cancellationToken,
        string direction = LineageDirections.Upstream, int depth = 5)
    {
        if (!RegistryQueries.TryParseVersion(version, out var number))
        {
            return Problems.InvalidVersion(version);
        }
        if (direction is not (LineageDirections.Upstream or LineageDirections.Downstream) || depth is < 1 or > LineageGraphs.MaxDepth)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["direction"] = ["direction is upstream or downstream."],
                ["depth"] = [$"depth is 1 to {LineageGraphs.MaxDepth}."],
            });
        }

        var root = await context.ModelVersions.AsNoTracking()
            .Join(context.RegisteredModels.Where(m => m.Name == name), v => v.ModelId, m => m.Id, (v, _) => v)
            .Where(v => v.Version == number)
            .Select(v => (Guid?)v.Id)
            .SingleOrDefaultAsync(cancellationToken);
        if (root is null)
        {
            return await context.RegisteredModels.AnyAsync(m => m.Name == name, cancellationToken)
                ? Problems.VersionNotFound(name, number)
                : Problems.ModelNotFound(name);
        }

        return TypedResults.Ok(await LineageGraphs.WalkAsync(
            context, root.Value, ModelReference.ToVersion(name, number).ToString(), direction, depth, cancellationToken));
    }
}
