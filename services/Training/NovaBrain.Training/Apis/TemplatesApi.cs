using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using NovaBrain.Security;
using NovaBrain.Training.Templates;

namespace NovaBrain.Training.Apis;

/// <summary>The training templates and their hyperparameter schemas: the built-in ones and those users derive from them.</summary>
public static class TemplatesApi
{
    public const string BasePath = "/api/training/v1";

    public static RouteGroupBuilder MapTemplatesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{BasePath}/templates").WithTags("Templates");

        api.MapGet("/", ListTemplates)
            .WithName("ListTrainingTemplates")
            .WithSummary("Every template version with its hyperparameter schema, built-in ones first")
            .RequirePermission(Permissions.ModelsRead);
        api.MapGet("/{name}", GetTemplate)
            .WithName("GetTrainingTemplate")
            .WithSummary("A template's latest version, or ?version=")
            .RequirePermission(Permissions.ModelsRead);
        api.MapPost("/", CreateTemplate)
            .WithName("CreateTrainingTemplate")
            .WithSummary("Store a new version of your own template, derived from a built-in one")
            .WithDescription("{ name, basedOn (a built-in template), description, hyperparameters: { <name>: { default, minimum, maximum, choices, minItems, maxItems, description } } }. " +
                             "Ranges only narrow the base template's; defaults lie within them. Each request stores the name's next version; built-in names are reserved.")
            .RequirePermission(Permissions.TrainingSubmit);

        return api;
    }

    public static async Task<Ok<IReadOnlyList<TrainingTemplate>>> ListTemplates(TemplateCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok(await catalog.ListAsync(cancellationToken));

    public static async Task<Results<Ok<TrainingTemplate>, ProblemHttpResult, ValidationProblem>> GetTemplate(
        string name, TemplateCatalog catalog, CancellationToken cancellationToken, string? version = null)
    {
        int? number = null;
        if (version is not null)
        {
            if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["version"] = ["A template version is a positive integer."] });
            }
            number = parsed;
        }
        return await catalog.FindAsync(name, number, cancellationToken) is { } template ? TypedResults.Ok(template) : Problems.TemplateNotFound(name, number);
    }

    public static async Task<Results<Created<TrainingTemplate>, ValidationProblem, ProblemHttpResult>> CreateTemplate(
        CreateTemplateRequest request, TemplateCatalog catalog, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await catalog.CreateAsync(request, user.FindFirstValue(NovaBrainClaimTypes.Subject)!, cancellationToken);
        return result.Outcome switch
        {
            CreateTemplateOutcome.Created => TypedResults.Created(
                $"{BasePath}/templates/{result.Template!.Name}?version={result.Template.Version}", result.Template),
            CreateTemplateOutcome.Invalid => TypedResults.ValidationProblem(result.Errors!),
            CreateTemplateOutcome.Reserved => Problems.TemplateNameReserved(request.Name!),
            _ => Problems.NotYourTemplate(request.Name!),
        };
    }
}
