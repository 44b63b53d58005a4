using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Auth.ApiKeys;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Auth.Roles;
using NovaBrain.Contracts.IntegrationEvents.Identity;
using NovaBrain.EventBus.Outbox;
using NovaBrain.Security;

namespace NovaBrain.Auth.Apis;

public static class ApiKeysApi
{
    public static RouteGroupBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth/v1/api-keys").WithTags("API keys");

        api.MapPost("/", CreateKey)
            .RequireAuthorization()
            .WithName("CreateApiKey")
            .WithSummary("Create an API key; the response is the only time the key is shown")
            .WithDescription("The key acts as its owner (the caller, or with users:manage another user or service account) "
                + "with at most the permissions the owner holds.")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/", ListKeys)
            .RequireAuthorization()
            .WithName("ListApiKeys")
            .WithSummary("The caller's API keys, or with users:manage those of ownerId; never the keys themselves")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/{id:guid}", GetKey)
            .RequireAuthorization()
            .WithName("GetApiKey")
            .WithSummary("An API key's metadata: the caller's own, or any with users:manage")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/{id:guid}", RevokeKey)
            .RequireAuthorization()
            .WithName("RevokeApiKey")
            .WithSummary("Revoke an API key: the caller's own, or any with users:manage")
            .WithDescription("Revoking a revoked key succeeds and changes nothing.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/validate", ValidateKey)
            .RequirePermission(Permissions.ApiKeysValidate)
            .WithName("ValidateApiKey")
            .WithSummary("Who an API key acts as and what it may do now; for the services' own clients");

        return api;
    }

    public static async Task<Results<Created<CreatedApiKeyResponse>, ValidationProblem, ProblemHttpResult>> CreateKey(
        CreateApiKeyRequest request, ClaimsPrincipal caller, [AsParameters] ApiKeyServices services, CancellationToken cancellationToken)
    {
        var now = services.Time.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            errors["name"] = ["name is required and at most 200 characters."];
        }
        if (request.Permissions is not { Length: > 0 })
        {
            errors["permissions"] = ["permissions is required and not empty: a key does only what it is given."];
        }
        if (request.ExpiresAt <= now)
        {
            errors["expiresAt"] = ["expiresAt is in the future."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (Problems.UnknownPermissions("permissions", request.Permissions!) is { } unknown)
        {
            return unknown;
        }

        var callerId = caller.Id();
        var ownerId = request.OwnerId ?? callerId;
        if (ownerId != callerId && !caller.Holds(Permissions.UsersManage))
        {
            return Problems.Forbidden("api-key-owner-forbidden", "Not allowed to create keys for others",
                "Creating an API key for another user or service account needs users:manage.");
        }
        var owner = await services.Context.Users.AsNoTracking()
            .Where(user => user.Id == ownerId)
            .Select(user => new { user.IsDisabled })
            .SingleOrDefaultAsync(cancellationToken);
        if (owner is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["ownerId"] = [request.OwnerId is null
                    ? "Only users and service accounts own API keys; a client names the owner in ownerId."
                    : $"No user or service account has the id '{ownerId}'."],
            });
        }
        if (owner.IsDisabled)
        {
            return Problems.Invalid("owner-disabled", "The owner is disabled", "ownerId", "A disabled account cannot be given API keys.");
        }

        var permissions = request.Permissions!.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var held = await services.Permissions.ForUserAsync(ownerId, cancellationToken);
        if (permissions.Except(held, StringComparer.Ordinal).ToArray() is { Length: > 0 } lacking)
        {
            return Problems.Invalid("permissions-not-held", "The owner lacks permissions", "permissions",
                $"The owner does not hold: {string.Join(", ", lacking)}.");
        }
        // A key must not mint a stronger key for its own owner.
        if (ownerId == callerId && caller.ActsThroughApiKey()
            && permissions.Where(permission => !caller.Holds(permission)).ToArray() is { Length: > 0 } beyondKey)
        {
            return Problems.Invalid("permissions-not-held", "The calling API key lacks permissions", "permissions",
                $"The API key making this request does not hold: {string.Join(", ", beyondKey)}.");
        }

        var (key, prefix) = ApiKeyFormat.Generate();
        var apiKey = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            Name = request.Name!,
            Prefix = prefix,
            Hash = ApiKeyFormat.Hash(key),
            OwnerId = ownerId,
            Permissions = [.. permissions],
            CreatedAt = now,
            CreatedBy = callerId,
            // PostgreSQL keeps instants in UTC and refuses other offsets.
            ExpiresAt = request.ExpiresAt?.ToUniversalTime(),
        };
        services.Context.ApiKeys.Add(apiKey);
        services.Outbox.Add(new ApiKeyCreated(apiKey.Id, prefix, ownerId, apiKey.Name, permissions, apiKey.ExpiresAt, callerId));
        await services.Context.SaveChangesAsync(cancellationToken);

        return TypedResults.Created($"/api/auth/v1/api-keys/{apiKey.Id}",
            new CreatedApiKeyResponse(apiKey.Id, apiKey.Name, key, prefix, ownerId, permissions, apiKey.ExpiresAt, apiKey.CreatedAt));
    }

    public static async Task<Results<Ok<ApiKeyResponse[]>, ProblemHttpResult>> ListKeys(
        string? ownerId, ClaimsPrincipal caller, AuthContext context, CancellationToken cancellationToken)
    {
        var callerId = caller.Id();
        if (ownerId is not null && ownerId != callerId && !caller.Holds(Permissions.UsersManage))
        {
            return Problems.Forbidden("api-key-owner-forbidden", "Not allowed to list keys of others",
                "Listing the API keys of another user or service account needs users:manage.");
        }
        var keys = await context.ApiKeys.AsNoTracking()
            .Where(key => key.OwnerId == (ownerId ?? callerId))
            .OrderByDescending(key => key.CreatedAt)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(keys.Select(ApiKeyResponse.From).ToArray());
    }

    public static async Task<Results<Ok<ApiKeyResponse>, ProblemHttpResult>> GetKey(
        Guid id, ClaimsPrincipal caller, AuthContext context, CancellationToken cancellationToken) =>
        await FindVisibleAsync(context.ApiKeys.AsNoTracking(), id, caller, cancellationToken) is { } key
            ? TypedResults.Ok(ApiKeyResponse.From(key))
            : KeyNotFound(id);

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(
        Guid id, ClaimsPrincipal caller, [AsParameters] ApiKeyServices services, CancellationToken cancellationToken)
    {
        var key = await FindVisibleAsync(services.Context.ApiKeys, id, caller, cancellationToken);
        if (key is null)
        {
            return KeyNotFound(id);
        }
        if (key.RevokedAt is null)
        {
            key.RevokedAt = services.Time.GetUtcNow();
            key.RevokedBy = caller.Id();
            services.Outbox.Add(new ApiKeyRevoked(key.Id, key.Prefix, key.OwnerId, key.RevokedBy));
            await services.Context.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<ApiKeyValidation>, ValidationProblem>> ValidateKey(
        ValidateApiKeyRequest request, StoredApiKeys keys, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Key))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["key"] = ["key is required."] });
        }
        return TypedResults.Ok(await keys.ValidateAsync(request.Key, cancellationToken));
    }

    /// <summary>A key the caller may see: their own, or any with users:manage. Others' keys read as absent.</summary>
    private static Task<ApiKey?> FindVisibleAsync(IQueryable<ApiKey> keys, Guid id, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var callerId = caller.Id();
        var seesAll = caller.Holds(Permissions.UsersManage);
        return keys.SingleOrDefaultAsync(key => key.Id == id && (seesAll || key.OwnerId == callerId), cancellationToken);
    }

    private static ProblemHttpResult KeyNotFound(Guid id) =>
        Problems.NotFound("api-key-not-found", "No such API key", $"There is no API key '{id}' among those you may see.");
}

/// <summary>The services the API key endpoints share.</summary>
public sealed record ApiKeyServices(
    AuthContext Context, PermissionResolver Permissions, IntegrationEventOutbox<AuthContext> Outbox, TimeProvider Time);

public sealed record CreateApiKeyRequest(string Name, string[] Permissions, DateTimeOffset? ExpiresAt = null, string? OwnerId = null);

/// <summary>The only response that carries <see cref="Key"/>; it cannot be read again.</summary>
public sealed record CreatedApiKeyResponse(
    Guid Id, string Name, string Key, string Prefix, string OwnerId, string[] Permissions, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt);

public sealed record ApiKeyResponse(
    Guid Id,
    string Name,
    string Prefix,
    string OwnerId,
    string[] Permissions,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt)
{
    public static ApiKeyResponse From(ApiKey key) => new(
        key.Id, key.Name, key.Prefix, key.OwnerId, [.. key.Permissions], key.CreatedAt, key.ExpiresAt, key.LastUsedAt, key.RevokedAt);
}

public sealed record ValidateApiKeyRequest(string Key);
