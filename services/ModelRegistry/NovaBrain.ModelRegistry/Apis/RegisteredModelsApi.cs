using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Contracts.IntegrationEvents;
using NovaBrain.EventBus.Outbox;
using NovaBrain.ModelRegistry.Infrastructure;
using NovaBrain.ModelRegistry.Models;
using NovaBrain.Security;
using Npgsql;

namespace NovaBrain.ModelRegistry.Apis;

public static partial class RegisteredModelsApi
{
    public static RouteGroupBuilder MapRegisteredModelsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/registry/v1/models").WithTags("Registered models");

        api.MapPost("/", CreateModel)
            .WithName("CreateRegisteredModel")
            .WithSummary("Register a model name")
            .WithDescription("Creates a registered model and announces it with a RegisteredModelCreated event.")
            .RequirePermission(Permissions.ModelsWrite);
        api.MapGet("/", ListModels)
            .WithName("ListRegisteredModels")
            .WithSummary("List registered models, newest first")
            .RequirePermission(Permissions.ModelsRead);
        api.MapGet("/{name}", GetModel)
            .WithName("GetRegisteredModel")
            .WithSummary("Get a registered model by name")
            .RequirePermission(Permissions.ModelsRead);

        return api;
    }

    public static async Task<Results<Created<RegisteredModelResponse>, ValidationProblem, ProblemHttpResult>> CreateModel(
        CreateRegisteredModelRequest request,
        RegistryContext context,
        IntegrationEventOutbox<RegistryContext> outbox,
        ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        if (Validate(request) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await context.RegisteredModels.AnyAsync(m => m.Name == request.Name, cancellationToken))
        {
            return NameTaken(request.Name);
        }

        var model = new RegisteredModel
        {
            Id = Guid.CreateVersion7(),
            Name = request.Name,
            Description = request.Description,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        context.RegisteredModels.Add(model);
        outbox.Add(new RegisteredModelCreated(model.Id, model.Name, model.Description, user.FindFirstValue(NovaBrainClaimTypes.Subject)));

        try
        {
            await context.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return NameTaken(request.Name);
        }

        return TypedResults.Created($"/api/registry/v1/models/{Uri.EscapeDataString(model.Name)}", RegisteredModelResponse.From(model));
    }

    public static async Task<Ok<RegisteredModelResponse[]>> ListModels(RegistryContext context, CancellationToken cancellationToken)
    {
        var models = await context.RegisteredModels.AsNoTracking()
            .OrderByDescending(model => model.CreatedAt)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(models.Select(RegisteredModelResponse.From).ToArray());
    }

    public static async Task<Results<Ok<RegisteredModelResponse>, NotFound>> GetModel(
        string name, RegistryContext context, CancellationToken cancellationToken)
    {
        var model = await context.RegisteredModels.AsNoTracking().SingleOrDefaultAsync(m => m.Name == name, cancellationToken);
        return model is null ? TypedResults.NotFound() : TypedResults.Ok(RegisteredModelResponse.From(model));
    }

    private static ProblemHttpResult NameTaken(string name) => NovaBrainProblems.Result(
        "model-name-taken",
        "A registered model with this name exists",
        $"The name '{name}' is taken; model names are unique.",
        StatusCodes.Status409Conflict);

    private static Dictionary<string, string[]> Validate(CreateRegisteredModelRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || !ModelName().IsMatch(request.Name))
        {
            errors["name"] =
            [
                $"A model name is 1 to {RegisteredModel.NameMaxLength} characters: letters, digits, '.', '_' and '-', starting with a letter or digit.",
            ];
        }
        if (request.Description is { Length: > 4000 })
        {
            errors["description"] = ["A description is at most 4000 characters."];
        }
        return errors;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$")]
    private static partial Regex ModelName();
}

public sealed record CreateRegisteredModelRequest(string Name, string? Description);

public sealed record RegisteredModelResponse(Guid Id, string Name, string? Description, DateTimeOffset CreatedAt)
{
    public static RegisteredModelResponse From(RegisteredModel model) => new(model.Id, model.Name, model.Description, model.CreatedAt);
}
