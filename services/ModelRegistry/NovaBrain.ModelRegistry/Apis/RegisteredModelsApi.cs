using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Contracts.IntegrationEvents;
using NovaBrain.EventBus.Outbox;
using NovaBrain.ModelRegistry.Infrastructure;
using NovaBrain.ModelRegistry.Lifecycle;
using NovaBrain.ModelRegistry.Models;
using NovaBrain.ModelRegistry.References;
using NovaBrain.Security;
using Npgsql;

namespace NovaBrain.ModelRegistry.Apis;

public static class RegisteredModelsApi
{
    public const int MaxTags = 256;

    public static RouteGroupBuilder MapRegisteredModelsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/registry/v1/models").WithTags("Registered models");

        api.MapPost("/", CreateModel)
            .WithName("CreateRegisteredModel")
            .WithSummary("Register a model name")
            .WithDescription("Creates a registered model (owned by the caller) and announces it with a RegisteredModelCreated event.")
            .RequirePermission(Permissions.ModelsWrite);
        api.MapGet("/", ListModels)
            .WithName("ListRegisteredModels")
            .WithSummary("List registered models, newest first")
            .RequirePermission(Permissions.ModelsRead);
        api.MapGet("/{name}", GetModel)
            .WithName("GetRegisteredModel")
            .WithSummary("Get a registered model by name")
            .RequirePermission(Permissions.ModelsRead);
        api.MapPatch("/{name}", UpdateModel)
            .WithName("UpdateRegisteredModel")
            .WithSummary("Change a model's description, tags or lifecycle settings")
            .WithDescription("Fields left out stay as they are; tags are replaced as a whole. Turning requireApproval off needs models:approve.")
            .RequirePermission(Permissions.ModelsWrite);

        return api;
    }

    public static async Task<Results<Created<RegisteredModelResponse>, ValidationProblem, ProblemHttpResult>> CreateModel(
        CreateRegisteredModelRequest request,
        RegistryContext context,
        IntegrationEventOutbox<RegistryContext> outbox,
        ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        if (Validate(request.Description, request.Tags) is var errors && !ModelReference.IsModelName(request.Name))
        {
            errors["name"] =
            [
                $"A model name is 1 to {RegisteredModel.NameMaxLength} characters: letters, digits, '.', '_' and '-', starting with a letter or digit.",
            ];
        }
        if (errors.Count > 0)
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
            Owner = user.Id(),
            RequireApproval = request.RequireApproval ?? false,
            AllowMultipleProduction = request.AllowMultipleProduction ?? false,
            CreatedAt = DateTimeOffset.UtcNow,
            Tags = TagsOf(request.Tags),
        };
        context.RegisteredModels.Add(model);
        outbox.Add(new RegisteredModelCreated(model.Id, model.Name, model.Description, model.Owner));

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
            .Include(model => model.Tags)
            .OrderByDescending(model => model.CreatedAt)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(models.Select(RegisteredModelResponse.From).ToArray());
    }

    public static async Task<Results<Ok<RegisteredModelResponse>, ProblemHttpResult>> GetModel(
        string name, RegistryContext context, CancellationToken cancellationToken) =>
        await context.FindModelAsync(name, cancellationToken) is { } model
            ? TypedResults.Ok(RegisteredModelResponse.From(model))
            : Problems.ModelNotFound(name);

    public static async Task<Results<Ok<RegisteredModelResponse>, ValidationProblem, ProblemHttpResult>> UpdateModel(
        string name, UpdateRegisteredModelRequest request, RegistryContext context, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (Validate(request.Description, request.Tags) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await context.WithModelLockedAsync<Results<Ok<RegisteredModelResponse>, ValidationProblem, ProblemHttpResult>>(name, async model =>
        {
            if (model is null)
            {
                return Problems.ModelNotFound(name);
            }
            if (request.RequireApproval == false && model.RequireApproval && !user.HasPermission(Permissions.ModelsApprove))
            {
                return Problems.ApprovalPermissionRequired();
            }
            if (request.AllowMultipleProduction == false && model.AllowMultipleProduction)
            {
                var holders = await context.ModelVersions
                    .Where(v => v.ModelId == model.Id && v.Stage == ModelStages.Production)
                    .OrderBy(v => v.Version).Select(v => v.Version).ToListAsync(cancellationToken);
                if (holders.Count > 1)
                {
                    return Problems.MultipleProductionHeld(name, holders);
                }
            }

            await context.Entry(model).Collection(m => m.Tags).LoadAsync(cancellationToken);
            model.Description = request.Description ?? model.Description;
            model.RequireApproval = request.RequireApproval ?? model.RequireApproval;
            model.AllowMultipleProduction = request.AllowMultipleProduction ?? model.AllowMultipleProduction;
            if (request.Tags is not null)
            {
                model.Tags.Clear();
                model.Tags.AddRange(TagsOf(request.Tags));
            }
            await context.SaveChangesAsync(cancellationToken);
            return TypedResults.Ok(RegisteredModelResponse.From(model));
        }, cancellationToken);
    }

    private static List<RegisteredModelTag> TagsOf(Dictionary<string, string>? tags) =>
        (tags ?? []).Select(tag => new RegisteredModelTag { Key = tag.Key, Value = tag.Value }).ToList();

    private static ProblemHttpResult NameTaken(string name) => NovaBrainProblems.Result(
        "model-name-taken",
        "A registered model with this name exists",
        $"The name '{name}' is taken; model names are unique.",
        StatusCodes.Status409Conflict);

    private static Dictionary<string, string[]> Validate(string? description, Dictionary<string, string>? tags)
    {
        var errors = new Dictionary<string, string[]>();
        if (description is { Length: > RegisteredModel.DescriptionMaxLength })
        {
            errors["description"] = [$"A description is at most {RegisteredModel.DescriptionMaxLength} characters."];
        }
        if (tags is not null && (tags.Count > MaxTags ||
            tags.Any(tag => tag.Key.Length is 0 or > RegistryContext.TagKeyMaxLength || tag.Value is null || tag.Value.Length > RegistryContext.TagValueMaxLength)))
        {
            errors["tags"] = [$"At most {MaxTags} tags, keys of 1 to {RegistryContext.TagKeyMaxLength} characters and string values of at most {RegistryContext.TagValueMaxLength}."];
        }
        return errors;
    }
}

public sealed record CreateRegisteredModelRequest(
    string Name, string? Description, Dictionary<string, string>? Tags = null, bool? RequireApproval = null, bool? AllowMultipleProduction = null);

public sealed record UpdateRegisteredModelRequest(
    string? Description = null, Dictionary<string, string>? Tags = null, bool? RequireApproval = null, bool? AllowMultipleProduction = null);
