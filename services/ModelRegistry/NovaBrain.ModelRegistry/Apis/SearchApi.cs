using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NovaBrain.ModelRegistry.Infrastructure;
using NovaBrain.ModelRegistry.Models;
using NovaBrain.ModelRegistry.Search;
using NovaBrain.ModelRegistry.Versions;
using NovaBrain.Security;

namespace NovaBrain.ModelRegistry.Apis;

/// <summary>
/// Searching models and versions with MLflow's filter grammar (plus OR, NOT and parentheses), MLflow's order_by
/// clauses and page tokens; the query parameters have MLflow's names, so MLflow users' filters work as they are.
/// </summary>
public static class SearchApi
{
    public const int DefaultMaxResults = 100;
    public const int MaxMaxResults = 1000;

    private static readonly SearchFields<RegisteredModel> ModelFields = new SearchFields<RegisteredModel>()
        .Text("name", m => m.Name, sortable: true)
        .Text("description", m => m.Description)
        .Text("owner", m => m.Owner, sortable: true, aliases: ["user_id"])
        .Number("latest_version", m => m.LatestVersion)
        .Timestamp("creation_timestamp", m => m.CreatedAt, aliases: ["timestamp"])
        .KeyValue("tags", m => m.Tags, t => t.Key, t => t.Value)
        .Key(m => m.Id);

    private static readonly SearchFields<ModelVersion> VersionFields = new SearchFields<ModelVersion>()
        .Text("name", v => v.Model.Name, sortable: true)
        .Number("version_number", v => v.Version, aliases: ["version"])
        .Text("format", v => v.Format, sortable: true)
        .Text("stage", v => v.Stage, sortable: true, aliases: ["current_stage"])
        .Text("user_id", v => v.CreatedBy, sortable: true, aliases: ["created_by"])
        .Text("validation_status", v => v.ValidationStatus)
        .Timestamp("creation_timestamp", v => v.CreatedAt, aliases: ["timestamp"])
        .KeyValue("tags", v => v.Tags, t => t.Key, t => t.Value)
        .NumericKeyValue("metrics", v => v.Metrics, m => m.Key, m => m.Value)
        .KeyValue("params", v => v.Params, p => p.Key, p => p.Value)
        .Key(v => v.Id);

    public static RouteGroupBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/registry/v1/search").WithTags("Search");

        api.MapGet("/models", SearchModels)
            .WithName("SearchRegisteredModels")
            .WithSummary("Search registered models")
            .WithDescription("filter: MLflow's grammar (e.g. name LIKE 'fraud%' AND tags.team = 'vision') with OR, NOT and parentheses; fields name, description, owner, latest_version, creation_timestamp (ms since the epoch), tags.<key>. order_by: e.g. 'name ASC' (repeatable). max_results (1 to 1000, default 100) and page_token page through the results.")
            .RequirePermission(Permissions.ModelsRead);
        api.MapGet("/versions", SearchVersions)
            .WithName("SearchModelVersions")
            .WithSummary("Search model versions")
            .WithDescription("filter: MLflow's grammar (e.g. name = 'fraud' AND metrics.accuracy > 0.9) with OR, NOT and parentheses; fields name, version_number, format, stage, user_id, validation_status, creation_timestamp (ms since the epoch), tags.<key>, metrics.<key>, params.<key>. order_by, max_results and page_token as for models.")
            .RequirePermission(Permissions.ModelsRead);

        return api;
    }

    public static async Task<Results<Ok<ModelSearchResponse>, ProblemHttpResult>> SearchModels(
        [AsParameters] SearchRequest request, RegistryContext context, CancellationToken cancellationToken)
    {
        var query = context.RegisteredModels.AsNoTracking().Include(m => m.Tags).AsSplitQuery();
        var (page, refused) = await SearchAsync(query, ModelFields, request, cancellationToken);
        return refused ?? (Results<Ok<ModelSearchResponse>, ProblemHttpResult>)TypedResults.Ok(
            new ModelSearchResponse(page!.Items.Select(RegisteredModelResponse.From).ToList(), page.NextPageToken));
    }

    public static async Task<Results<Ok<VersionSearchResponse>, ProblemHttpResult>> SearchVersions(
        [AsParameters] SearchRequest request, RegistryContext context, CancellationToken cancellationToken)
    {
        var query = context.VersionsWithDetails().Include(v => v.Model);
        var (page, refused) = await SearchAsync(query, VersionFields, request, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var versionIds = page!.Items.Select(v => v.Id).ToList();
        var aliases = (await context.ModelAliases.AsNoTracking().Where(a => versionIds.Contains(a.VersionId)).ToListAsync(cancellationToken))
            .ToLookup(a => a.VersionId, a => a.Name);
        return TypedResults.Ok(new VersionSearchResponse(
            page.Items.Select(v => ModelVersionResponse.From(v.Model.Name, v, aliases[v.Id])).ToList(), page.NextPageToken));
    }

    private static async Task<(SearchPage<T>? Page, ProblemHttpResult? Refused)> SearchAsync<T>(
        IQueryable<T> query, SearchFields<T> fields, SearchRequest request, CancellationToken cancellationToken)
    {
        var maxResults = request.MaxResults ?? DefaultMaxResults;
        if (maxResults is < 1 or > MaxMaxResults)
        {
            return (null, NovaBrainProblems.Result(
                "invalid-max-results", "max_results is out of range",
                $"max_results is 1 to {MaxMaxResults}; got {maxResults}.", StatusCodes.Status400BadRequest));
        }

        try
        {
            var filter = SearchFilter.Parse(request.Filter);
            var order = SortClause.Parse(request.OrderBy);
            return (await query.Where(filter.Compile(fields)).ToSearchPageAsync(fields, order, request.PageToken, maxResults, cancellationToken), null);
        }
        catch (FilterSyntaxException exception)
        {
            return (null, NovaBrainProblems.Result(
                "invalid-filter", "The filter or order_by cannot be read", exception.Message, StatusCodes.Status400BadRequest,
                new Dictionary<string, object?> { ["position"] = exception.Position }));
        }
        catch (InvalidPageTokenException exception)
        {
            return (null, NovaBrainProblems.Result(
                "invalid-page-token", "The page token is not valid", $"{exception.Message}; start again without page_token.", StatusCodes.Status400BadRequest));
        }
    }
}

/// <summary>MLflow's search parameters: filter, order_by (repeatable), max_results, page_token.</summary>
public sealed record SearchRequest(
    [property: FromQuery(Name = "filter")] string? Filter,
    [property: FromQuery(Name = "order_by")] string[]? OrderBy,
    [property: FromQuery(Name = "max_results")] int? MaxResults,
    [property: FromQuery(Name = "page_token")] string? PageToken);

public sealed record ModelSearchResponse(IReadOnlyList<RegisteredModelResponse> Models, string? NextPageToken);

public sealed record VersionSearchResponse(IReadOnlyList<ModelVersionResponse> Versions, string? NextPageToken);
