using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using NovaBrain.Security;
using NovaBrain.Training.Templates;

namespace NovaBrain.Training.Apis;

/// <summary>The training templates and their hyperparameter schemas.</summary>
public static class TemplatesApi
{
    public const string BasePath = "/api/training/v1";

    public static RouteGroupBuilder MapTemplatesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{BasePath}/templates").WithTags("Templates");

        api.MapGet("/", ListTemplates)
            .WithName("ListTrainingTemplates")
            .WithSummary("Every template version with its hyperparameter schema")
            .RequirePermission(Permissions.ModelsRead);
        api.MapGet("/{name}", GetTemplate)
            .WithName("GetTrainingTemplate")
            .WithSummary("A template's latest version, or ?version=")
            .RequirePermission(Permissions.ModelsRead);

        return api;
    }

    public static Ok<IReadOnlyList<TrainingTemplate>> ListTemplates() => TypedResults.Ok(BuiltInTemplates.All);

    public static Results<Ok<TrainingTemplate>, ProblemHttpResult, ValidationProblem> GetTemplate(string name, string? version = null)
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
        return BuiltInTemplates.Find(name, number) is { } template ? TypedResults.Ok(template) : Problems.TemplateNotFound(name, number);
    }
}
