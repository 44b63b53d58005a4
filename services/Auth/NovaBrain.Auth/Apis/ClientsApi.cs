using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using NovaBrain.Auth.ApiKeys;
using NovaBrain.Auth.Clients;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Contracts.IntegrationEvents.Identity;
using NovaBrain.EventBus.Outbox;
using NovaBrain.Security;
using Npgsql;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;
using Permissions = NovaBrain.Security.Permissions;

namespace NovaBrain.Auth.Apis;

public static partial class ClientsApi
{
    public const int SecretLength = 32;

    /// <summary>The services' own clients are seeded from configuration under this prefix.</summary>
    private const string ServiceClientPrefix = "svc-";

    public static RouteGroupBuilder MapClientsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth/v1/clients").WithTags("Clients").RequirePermission(Permissions.ClientsManage);

        api.MapPost("/", CreateClient)
            .WithName("CreateClient")
            .WithSummary("Create a client-credentials client; the response is the only time its secret is shown")
            .WithDescription("A client given `jwks` authenticates with signed client assertions and gets no secret.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/", ListClients)
            .WithName("ListClients")
            .WithSummary("Client-credentials clients, the services' own included; never their secrets");
        api.MapGet("/{clientId}", GetClient)
            .WithName("GetClient")
            .WithSummary("Get a client-credentials client")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/{clientId}", DeleteClient)
            .WithName("DeleteClient")
            .WithSummary("Delete a client made through this API, with its stored tokens")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return api;
    }

    public static async Task<Results<Created<CreatedClientResponse>, ValidationProblem, ProblemHttpResult>> CreateClient(
        CreateClientRequest request, ClaimsPrincipal caller, [AsParameters] ClientServices services, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.ClientId is not null && (!ClientId().IsMatch(request.ClientId) || request.ClientId.StartsWith(ServiceClientPrefix, StringComparison.Ordinal)))
        {
            errors["clientId"] =
            [
                $"A client id is 3 to 100 characters: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, and not with '{ServiceClientPrefix}'.",
            ];
        }
        if (string.IsNullOrWhiteSpace(request.DisplayName) || request.DisplayName.Length > 200)
        {
            errors["displayName"] = ["displayName is required and at most 200 characters."];
        }
        if (request.Permissions is not { Length: > 0 })
        {
            errors["permissions"] = ["permissions is required and not empty."];
        }
        var keySet = ReadKeySet(request.Jwks, out var jwksError);
        if (jwksError is not null)
        {
            errors["jwks"] = [jwksError];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (Problems.UnknownPermissions("permissions", request.Permissions!) is { } unknown)
        {
            return unknown;
        }
        if (request.Permissions!.Contains(Permissions.ApiKeysValidate, StringComparer.Ordinal))
        {
            return Problems.Invalid("permission-reserved", "Reserved permission", "permissions",
                $"{Permissions.ApiKeysValidate} is held by the services' own clients only.");
        }

        var (context, applications) = (services.Context, services.Applications);
        var clientId = request.ClientId ?? "client-" + RandomNumberGenerator.GetHexString(16, lowercase: true);
        if (await applications.FindByClientIdAsync(clientId, cancellationToken) is not null
            || await context.MachineClients.AnyAsync(client => client.ClientId == clientId, cancellationToken))
        {
            return ClientIdTaken(clientId);
        }

        var permissions = request.Permissions.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var secret = keySet is null ? Base62.Random(SecretLength) : null;
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = request.DisplayName,
            JsonWebKeySet = keySet,
            Permissions =
            {
                OpenIddictConstants.Permissions.Endpoints.Token,
                OpenIddictConstants.Permissions.Endpoints.Introspection,
                OpenIddictConstants.Permissions.Endpoints.Revocation,
                OpenIddictConstants.Permissions.GrantTypes.ClientCredentials,
            },
        };
        descriptor.Permissions.UnionWith(ApiAudiences.Prefixes.Select(prefix => OpenIddictConstants.Permissions.Prefixes.Scope + ApiAudiences.Scope(prefix)));

        var actor = caller.Id();
        // The OpenIddict store saves through the same scoped AuthContext: the permissions row and the event staged
        // here commit in the same SaveChanges as the application, or not at all.
        context.MachineClients.Add(new MachineClient
        {
            ClientId = clientId,
            Permissions = [.. permissions],
            CreatedAt = services.Time.GetUtcNow(),
            CreatedBy = actor,
        });
        services.Outbox.Add(new MachineClientCreated(clientId, permissions, actor));
        try
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
        catch (OpenIddictExceptions.ValidationException exception)
        {
            context.ChangeTracker.Clear();
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [keySet is null ? "clientId" : "jwks"] = [.. exception.Results.Select(result => result.ErrorMessage ?? "Invalid.")],
            });
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return ClientIdTaken(clientId);
        }

        return TypedResults.Created($"/api/auth/v1/clients/{clientId}",
            new CreatedClientResponse(clientId, secret, request.DisplayName!, permissions));
    }

    public static async Task<Ok<ClientResponse[]>> ListClients(AuthContext context, CancellationToken cancellationToken) =>
        TypedResults.Ok(await WithDisplayNames(context, context.MachineClients.OrderBy(client => client.ClientId)).ToArrayAsync(cancellationToken));

    public static async Task<Results<Ok<ClientResponse>, ProblemHttpResult>> GetClient(
        string clientId, AuthContext context, CancellationToken cancellationToken) =>
        await WithDisplayNames(context, context.MachineClients.Where(client => client.ClientId == clientId)).SingleOrDefaultAsync(cancellationToken) is { } client
            ? TypedResults.Ok(client)
            : ClientNotFound(clientId);

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteClient(
        string clientId, ClaimsPrincipal caller, [AsParameters] ClientServices services, CancellationToken cancellationToken)
    {
        var client = await services.Context.MachineClients.SingleOrDefaultAsync(client => client.ClientId == clientId, cancellationToken);
        if (client is null)
        {
            return ClientNotFound(clientId);
        }
        if (client.IsServiceClient)
        {
            return Problems.Conflict("service-client", "Service clients cannot be deleted",
                $"'{clientId}' is a service's own client, seeded from configuration at every start.");
        }

        services.Context.MachineClients.Remove(client);
        services.Outbox.Add(new MachineClientDeleted(clientId, caller.Id()));
        if (await services.Applications.FindByClientIdAsync(clientId, cancellationToken) is { } application)
        {
            // Saves the removal and the event above with the application and its tokens.
            await services.Applications.DeleteAsync(application, cancellationToken);
        }
        else
        {
            await services.Context.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The public keys a client signs its assertions with: RSA or EC keys for signing, without private parts.
    /// Null without error when none were given.
    /// </summary>
    private static JsonWebKeySet? ReadKeySet(JsonElement? jwks, out string? error)
    {
        error = null;
        if (jwks is not { ValueKind: not JsonValueKind.Null } json)
        {
            return null;
        }
        JsonWebKeySet set;
        try
        {
            set = json.ValueKind == JsonValueKind.Object ? new JsonWebKeySet(json.GetRawText()) : throw new ArgumentException("not an object");
        }
        catch (ArgumentException)
        {
            error = "jwks is a JSON Web Key Set: an object with a 'keys' array.";
            return null;
        }
        if (set.Keys.Count == 0)
        {
            error = "jwks holds at least one key.";
        }
        else if (set.Keys.Any(key => key.Kty is not (JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve)))
        {
            error = "jwks keys are RSA or EC keys.";
        }
        else if (set.Keys.Any(key => key.Use is not (null or JsonWebKeyUseNames.Sig)))
        {
            error = "jwks keys are for signing: 'use' is 'sig' or absent.";
        }
        else if (set.Keys.Any(key => !string.IsNullOrEmpty(key.D)))
        {
            error = "jwks holds public keys only; a private key must never leave its owner.";
        }
        return error is null ? set : null;
    }

    private static IQueryable<ClientResponse> WithDisplayNames(AuthContext context, IQueryable<MachineClient> clients) =>
        from client in clients.AsNoTracking()
        join application in context.Set<OpenIddictEntityFrameworkCoreApplication>() on client.ClientId equals application.ClientId into found
        from application in found.DefaultIfEmpty()
        select new ClientResponse(
            client.ClientId, application == null ? null : application.DisplayName, client.Permissions, client.IsServiceClient, client.CreatedAt, client.CreatedBy);

    private static ProblemHttpResult ClientIdTaken(string clientId) =>
        Problems.Conflict("client-id-taken", "The client id is taken", $"A client '{clientId}' exists; client ids are unique.");

    private static ProblemHttpResult ClientNotFound(string clientId) =>
        Problems.NotFound("client-not-found", "No such client", $"There is no client-credentials client '{clientId}'.");

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{2,99}$")]
    private static partial Regex ClientId();
}

/// <summary>The services the client endpoints share.</summary>
public sealed record ClientServices(
    AuthContext Context, IOpenIddictApplicationManager Applications, IntegrationEventOutbox<AuthContext> Outbox, TimeProvider Time);

/// <summary><paramref name="Jwks"/>: a JSON Web Key Set of public keys, for clients that authenticate with signed assertions.</summary>
public sealed record CreateClientRequest(string DisplayName, string[] Permissions, string? ClientId = null, JsonElement? Jwks = null);

/// <summary>The only response that carries <see cref="ClientSecret"/>; absent for clients with a key set.</summary>
public sealed record CreatedClientResponse(
    string ClientId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientSecret,
    string DisplayName,
    string[] Permissions);

public sealed record ClientResponse(
    string ClientId, string? DisplayName, List<string> Permissions, bool IsServiceClient, DateTimeOffset CreatedAt, string? CreatedBy);
