using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Auth.Roles;
using NovaBrain.Contracts.IntegrationEvents.Identity;
using NovaBrain.EventBus.Outbox;
using NovaBrain.Security;
using Npgsql;

namespace NovaBrain.Auth.Apis;

public static partial class RolesApi
{
    public static IEndpointRouteBuilder MapRolesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth/v1/roles").WithTags("Roles").RequirePermission(Permissions.UsersManage);

        api.MapGet("/", ListRoles)
            .WithName("ListRoles")
            .WithSummary("Roles with their permissions, by name");
        api.MapGet("/{name}", GetRole)
            .WithName("GetRole")
            .WithSummary("Get a role with its permissions")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/", CreateRole)
            .WithName("CreateRole")
            .WithSummary("Create a custom role")
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPut("/{name}/permissions", ReplacePermissions)
            .WithName("ReplaceRolePermissions")
            .WithSummary("Replace a role's permissions, built-in roles too")
            .WithDescription("Applies to the next token of every user with the role, and at once to their API keys.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/{name}", DeleteRole)
            .WithName("DeleteRole")
            .WithSummary("Delete a custom role; its users lose it")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        app.MapGet("/api/auth/v1/permissions", () => TypedResults.Ok(Permissions.All.ToArray()))
            .WithTags("Roles")
            .WithName("ListPermissions")
            .WithSummary("Every permission a role, an API key or a client may be given")
            .RequireAuthorization();

        return app;
    }

    public static async Task<Ok<RoleResponse[]>> ListRoles(AuthContext context, CancellationToken cancellationToken)
    {
        var roles = await context.Roles.AsNoTracking().Include(role => role.Permissions).OrderBy(role => role.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(roles.Select(RoleResponse.From).ToArray());
    }

    public static async Task<Results<Ok<RoleResponse>, ProblemHttpResult>> GetRole(
        string name, AuthContext context, CancellationToken cancellationToken) =>
        await FindAsync(context.Roles.AsNoTracking(), name, cancellationToken) is { } role
            ? TypedResults.Ok(RoleResponse.From(role))
            : RoleNotFound(name);

    public static async Task<Results<Created<RoleResponse>, ValidationProblem, ProblemHttpResult>> CreateRole(
        CreateRoleRequest request,
        ClaimsPrincipal caller,
        RoleManager<AuthRole> roles,
        AuthContext context,
        IntegrationEventOutbox<AuthContext> outbox)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Name is null || !RoleName().IsMatch(request.Name))
        {
            errors["name"] = ["A role name is 2 to 63 characters: lower-case letters, digits and '-', starting with a letter."];
        }
        if (request.Permissions is null)
        {
            errors["permissions"] = ["permissions is required; it may be empty."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (Problems.UnknownPermissions("permissions", request.Permissions!) is { } unknown)
        {
            return unknown;
        }
        if (await roles.RoleExistsAsync(request.Name!))
        {
            return RoleNameTaken(request.Name!);
        }

        var permissions = Normalize(request.Permissions!);
        var role = new AuthRole { Name = request.Name };
        role.Permissions.AddRange(permissions.Select(permission => new RolePermission { RoleId = role.Id, Permission = permission }));

        // RoleManager saves through the same scoped AuthContext, so the staged event commits with the role.
        outbox.Add(new RolePermissionsChanged(role.Name!, permissions, Created: true, caller.Id()));
        IdentityResult result;
        try
        {
            result = await roles.CreateAsync(role);
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return RoleNameTaken(role.Name!);
        }
        if (!result.Succeeded)
        {
            context.ChangeTracker.Clear();
            return result.Errors.Any(error => error.Code == nameof(IdentityErrorDescriber.DuplicateRoleName))
                ? RoleNameTaken(role.Name!)
                : TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["name"] = [.. result.Errors.Select(error => error.Description)],
                });
        }
        return TypedResults.Created($"/api/auth/v1/roles/{role.Name}", RoleResponse.From(role));
    }

    public static async Task<Results<Ok<RoleResponse>, ValidationProblem, ProblemHttpResult>> ReplacePermissions(
        string name,
        ReplacePermissionsRequest request,
        ClaimsPrincipal caller,
        AuthContext context,
        IntegrationEventOutbox<AuthContext> outbox,
        CancellationToken cancellationToken)
    {
        if (request.Permissions is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["permissions"] = ["permissions is required; it may be empty."],
            });
        }
        if (Problems.UnknownPermissions("permissions", request.Permissions) is { } unknown)
        {
            return unknown;
        }
        var role = await FindAsync(context.Roles, name, cancellationToken);
        if (role is null)
        {
            return RoleNotFound(name);
        }

        var permissions = Normalize(request.Permissions);
        role.Permissions.RemoveAll(granted => !permissions.Contains(granted.Permission, StringComparer.Ordinal));
        role.Permissions.AddRange(permissions
            .Where(permission => !role.Permissions.Any(granted => granted.Permission == permission))
            .Select(permission => new RolePermission { RoleId = role.Id, Permission = permission }));

        outbox.Add(new RolePermissionsChanged(role.Name!, permissions, Created: false, caller.Id()));
        await context.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(RoleResponse.From(role));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteRole(
        string name,
        ClaimsPrincipal caller,
        RoleManager<AuthRole> roles,
        AuthContext context,
        IntegrationEventOutbox<AuthContext> outbox,
        CancellationToken cancellationToken)
    {
        var role = await FindAsync(context.Roles, name, cancellationToken);
        if (role is null)
        {
            return RoleNotFound(name);
        }
        if (role.IsBuiltIn)
        {
            return Problems.Conflict("built-in-role", "Built-in roles cannot be deleted",
                $"The role '{name}' is built in; change its permissions instead.");
        }

        outbox.Add(new RoleDeleted(role.Name!, caller.Id()));
        var result = await roles.DeleteAsync(role);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Deleting role '{name}' failed: {string.Join(" ", result.Errors.Select(error => error.Description))}");
        }
        return TypedResults.NoContent();
    }

    private static Task<AuthRole?> FindAsync(IQueryable<AuthRole> roles, string name, CancellationToken cancellationToken) =>
        roles.Include(role => role.Permissions).SingleOrDefaultAsync(role => role.Name == name, cancellationToken);

    /// <summary>Without duplicates and in a fixed order, so events and responses compare.</summary>
    private static string[] Normalize(IEnumerable<string> permissions) =>
        permissions.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    private static ProblemHttpResult RoleNotFound(string name) =>
        Problems.NotFound("role-not-found", "No such role", $"There is no role named '{name}'.");

    private static ProblemHttpResult RoleNameTaken(string name) =>
        Problems.Conflict("role-name-taken", "The role name is taken", $"A role named '{name}' exists; role names are unique.");

    [GeneratedRegex("^[a-z][a-z0-9-]{1,62}$")]
    private static partial Regex RoleName();
}

public sealed record CreateRoleRequest(string Name, string[] Permissions);

public sealed record ReplacePermissionsRequest(string[] Permissions);

public sealed record RoleResponse(string Name, bool BuiltIn, string[] Permissions)
{
    public static RoleResponse From(AuthRole role) =>
        new(role.Name!, role.IsBuiltIn, [.. role.Permissions.Select(granted => granted.Permission).Order(StringComparer.Ordinal)]);
}
