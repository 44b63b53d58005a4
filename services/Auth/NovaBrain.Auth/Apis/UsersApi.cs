using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Auth.Roles;
using NovaBrain.Auth.Users;
using NovaBrain.Contracts.IntegrationEvents.Identity;
using NovaBrain.EventBus.Outbox;
using NovaBrain.Security;
using Npgsql;
using OpenIddict.Abstractions;

namespace NovaBrain.Auth.Apis;

public static partial class UsersApi
{
    public const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth/v1").WithTags("Users").RequirePermission(Permissions.UsersManage);

        api.MapGet("/users", ListUsers)
            .WithName("ListUsers")
            .WithSummary("Users and service accounts by user name, a page at a time")
            .WithDescription("Pass the page's `next` as `after` to get the following page; `next` is null on the last page.");
        api.MapPost("/users", CreateUser)
            .WithName("CreateUser")
            .WithSummary("Create a user with a password and roles")
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/users/{id}", GetUser)
            .WithName("GetUser")
            .WithSummary("Get a user or service account by id")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/users/{id}/roles", ReplaceRoles)
            .WithName("ReplaceUserRoles")
            .WithSummary("Replace a user's roles")
            .WithDescription("The user's next token carries the new roles' permissions; so does every API key they own, at once.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/users/{id}/disable", DisableUser)
            .WithName("DisableUser")
            .WithSummary("Disable a user: no sign-in, no token refresh, no API key")
            .WithDescription("Revokes the user's stored tokens. Access tokens already issued stay valid until they expire.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/users/{id}/enable", EnableUser)
            .WithName("EnableUser")
            .WithSummary("Enable a disabled user")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/service-accounts", CreateServiceAccount)
            .WithName("CreateServiceAccount")
            .WithSummary("Create a service account: a user without password that acts through API keys")
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    public static async Task<Results<Ok<UserPage>, ValidationProblem>> ListUsers(
        [AsParameters] UserPageQuery query, AuthContext context, CancellationToken cancellationToken)
    {
        if (query.Limit is < 1 or > MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["limit"] = [$"limit is between 1 and {MaxPageSize}."],
            });
        }

        var users = context.Users.AsNoTracking();
        if (query.After is not null)
        {
            users = users.Where(user => string.Compare(user.UserName, query.After) > 0);
        }
        var page = await users.OrderBy(user => user.UserName).Take(query.Limit + 1).ToListAsync(cancellationToken);
        var hasMore = page.Count > query.Limit;
        if (hasMore)
        {
            page.RemoveAt(page.Count - 1);
        }

        var roles = await RolesOf(context, page.Select(user => user.Id).ToArray(), cancellationToken);
        return TypedResults.Ok(new UserPage(
            [.. page.Select(user => UserResponse.From(user, roles[user.Id]))],
            hasMore ? page[^1].UserName : null));
    }

    public static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> CreateUser(
        CreateUserRequest request, ClaimsPrincipal caller, [AsParameters] UserServices services, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.UserName) || request.UserName.Length > 256)
        {
            errors["userName"] = ["userName is required and at most 256 characters."];
        }
        if (string.IsNullOrWhiteSpace(request.Email) || request.Email.Length > 256 || !new EmailAddressAttribute().IsValid(request.Email))
        {
            errors["email"] = ["email is required: an e-mail address of at most 256 characters."];
        }
        if (string.IsNullOrEmpty(request.Password))
        {
            errors["password"] = ["password is required."];
        }
        if (request.DisplayName is { Length: > 200 })
        {
            errors["displayName"] = ["displayName is at most 200 characters."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var user = new AuthUser
        {
            UserName = request.UserName,
            Email = request.Email,
            // An administrator vouches for the address: nobody is asked to confirm it.
            EmailConfirmed = true,
            DisplayName = request.DisplayName,
        };
        return await CreateAsync(user, request.Password, request.Roles ?? [], caller, services, cancellationToken);
    }

    public static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> CreateServiceAccount(
        CreateServiceAccountRequest request, ClaimsPrincipal caller, [AsParameters] UserServices services, CancellationToken cancellationToken)
    {
        if (request.Name is null || !ServiceAccountName().IsMatch(request.Name))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["name"] = ["A service account name is 2 to 63 characters: lower-case letters, digits and '-', starting with a letter."],
            });
        }

        var account = new AuthUser { UserName = request.Name, IsServiceAccount = true };
        return await CreateAsync(account, password: null, request.Roles ?? [], caller, services, cancellationToken);
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetUser(
        string id, AuthContext context, CancellationToken cancellationToken)
    {
        var user = await context.Users.AsNoTracking().SingleOrDefaultAsync(user => user.Id == id, cancellationToken);
        if (user is null)
        {
            return UserNotFound(id);
        }
        var roles = await RolesOf(context, [id], cancellationToken);
        return TypedResults.Ok(UserResponse.From(user, roles[id]));
    }

    public static async Task<Results<Ok<UserResponse>, ValidationProblem, ProblemHttpResult>> ReplaceRoles(
        string id, ReplaceRolesRequest request, ClaimsPrincipal caller, [AsParameters] UserServices services, CancellationToken cancellationToken)
    {
        var context = services.Context;
        var user = await context.Users.SingleOrDefaultAsync(user => user.Id == id, cancellationToken);
        if (user is null)
        {
            return UserNotFound(id);
        }
        var (roles, missing) = await FindRoles(context, request.Roles ?? [], cancellationToken);
        if (missing.Length > 0)
        {
            return UnknownRoles(missing);
        }

        var current = await context.UserRoles.Where(userRole => userRole.UserId == id).ToListAsync(cancellationToken);
        var wanted = roles.Select(role => role.Id).ToHashSet(StringComparer.Ordinal);
        context.UserRoles.RemoveRange(current.Where(userRole => !wanted.Contains(userRole.RoleId)));
        context.UserRoles.AddRange(wanted
            .Except(current.Select(userRole => userRole.RoleId), StringComparer.Ordinal)
            .Select(roleId => new IdentityUserRole<string> { UserId = id, RoleId = roleId }));

        var names = roles.Select(role => role.Name!).Order(StringComparer.Ordinal).ToArray();
        services.Outbox.Add(new UserRolesChanged(user.Id, user.UserName!, names, caller.Id()));
        await context.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(UserResponse.From(user, names));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DisableUser(
        string id, ClaimsPrincipal caller, [AsParameters] UserServices services, CancellationToken cancellationToken)
    {
        if (id == caller.Id())
        {
            return Problems.Conflict("cannot-disable-self", "You cannot disable yourself",
                "Another administrator has to disable this account, so that nobody locks themselves out by mistake.");
        }
        var user = await services.Users.FindByIdAsync(id);
        if (user is null)
        {
            return UserNotFound(id);
        }

        if (!user.IsDisabled)
        {
            user.IsDisabled = true;
            services.Outbox.Add(new UserEnabledChanged(user.Id, user.UserName!, Enabled: false, caller.Id()));
            // A new security stamp ends the user's sign-in sessions; the same save commits the flag and the event.
            EnsureSucceeded(await services.Users.UpdateSecurityStampAsync(user));
        }
        // Also when it was disabled already: a retry after a failed revocation finishes the job.
        await services.Tokens.RevokeBySubjectAsync(user.Id, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> EnableUser(
        string id, ClaimsPrincipal caller, [AsParameters] UserServices services)
    {
        var user = await services.Users.FindByIdAsync(id);
        if (user is null)
        {
            return UserNotFound(id);
        }

        if (user.IsDisabled)
        {
            user.IsDisabled = false;
            services.Outbox.Add(new UserEnabledChanged(user.Id, user.UserName!, Enabled: true, caller.Id()));
            EnsureSucceeded(await services.Users.UpdateAsync(user));
        }
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        AuthUser user, string? password, string[] roleNames, ClaimsPrincipal caller, UserServices services, CancellationToken cancellationToken)
    {
        var (context, users) = (services.Context, services.Users);
        var (roles, missing) = await FindRoles(context, roleNames, cancellationToken);
        if (missing.Length > 0)
        {
            return UnknownRoles(missing);
        }
        var normalizedName = users.NormalizeName(user.UserName);
        if (await context.Users.AnyAsync(existing => existing.NormalizedUserName == normalizedName, cancellationToken))
        {
            return UserNameTaken(user.UserName!);
        }
        var normalizedEmail = users.NormalizeEmail(user.Email);
        if (normalizedEmail is not null && await context.Users.AnyAsync(existing => existing.NormalizedEmail == normalizedEmail, cancellationToken))
        {
            return Problems.Conflict("email-taken", "The e-mail address is taken", $"Another user has the e-mail address '{user.Email}'.");
        }

        var actor = caller.Id();
        user.CreatedAt = services.Time.GetUtcNow();
        user.CreatedBy = actor;
        var names = roles.Select(role => role.Name!).Order(StringComparer.Ordinal).ToArray();

        // UserManager saves through the same scoped AuthContext: the role links and the event staged here commit in
        // the same SaveChanges as the user, or not at all.
        context.UserRoles.AddRange(roles.Select(role => new IdentityUserRole<string> { UserId = user.Id, RoleId = role.Id }));
        services.Outbox.Add(new UserCreated(user.Id, user.UserName!, user.Email, names, user.IsServiceAccount, actor));
        IdentityResult result;
        try
        {
            result = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return UserNameTaken(user.UserName!);
        }
        if (!result.Succeeded)
        {
            context.ChangeTracker.Clear();
            return result.Errors.Any(error => error.Code == nameof(IdentityErrorDescriber.DuplicateUserName))
                ? UserNameTaken(user.UserName!)
                : TypedResults.ValidationProblem(result.Errors
                    .GroupBy(error => FieldOf(error.Code))
                    .ToDictionary(group => group.Key, group => group.Select(error => error.Description).ToArray()),
                    title: "The user was refused");
        }

        return TypedResults.Created($"/api/auth/v1/users/{Uri.EscapeDataString(user.Id)}", UserResponse.From(user, names));
    }

    private static string FieldOf(string identityErrorCode) => identityErrorCode switch
    {
        _ when identityErrorCode.StartsWith("Password", StringComparison.Ordinal) => "password",
        nameof(IdentityErrorDescriber.InvalidEmail) or nameof(IdentityErrorDescriber.DuplicateEmail) => "email",
        _ => "userName",
    };

    private static async Task<(List<AuthRole> Found, string[] Missing)> FindRoles(
        AuthContext context, string[] names, CancellationToken cancellationToken)
    {
        var distinct = names.Distinct(StringComparer.Ordinal).ToArray();
        var found = await context.Roles.Where(role => distinct.Contains(role.Name!)).ToListAsync(cancellationToken);
        return (found, distinct.Except(found.Select(role => role.Name!), StringComparer.Ordinal).ToArray());
    }

    /// <summary>The role names of each user, empty for users without roles.</summary>
    private static async Task<ILookup<string, string>> RolesOf(AuthContext context, string[] userIds, CancellationToken cancellationToken) =>
        (await context.UserRoles
            .Where(userRole => userIds.Contains(userRole.UserId))
            .Join(context.Roles, userRole => userRole.RoleId, role => role.Id, (userRole, role) => new { userRole.UserId, role.Name })
            .OrderBy(pair => pair.Name)
            .ToListAsync(cancellationToken))
        .ToLookup(pair => pair.UserId, pair => pair.Name!);

    private static void EnsureSucceeded(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Saving the user failed: {string.Join(" ", result.Errors.Select(error => error.Description))}");
        }
    }

    private static ValidationProblem UnknownRoles(string[] missing) =>
        Problems.Invalid("unknown-roles", "Unknown roles", "roles", $"No such roles: {string.Join(", ", missing)}.");

    private static ProblemHttpResult UserNameTaken(string userName) =>
        Problems.Conflict("user-name-taken", "The user name is taken", $"A user or service account named '{userName}' exists; user names are unique.");

    private static ProblemHttpResult UserNotFound(string id) =>
        Problems.NotFound("user-not-found", "No such user", $"No user or service account has the id '{id}'.");

    [GeneratedRegex("^[a-z][a-z0-9-]{1,62}$")]
    private static partial Regex ServiceAccountName();
}

/// <summary>The services the user endpoints share.</summary>
public sealed record UserServices(
    AuthContext Context,
    UserManager<AuthUser> Users,
    IOpenIddictTokenManager Tokens,
    IntegrationEventOutbox<AuthContext> Outbox,
    TimeProvider Time);

public sealed record UserPageQuery(string? After, int Limit = 50);

public sealed record UserPage(UserResponse[] Items, string? Next);

public sealed record CreateUserRequest(string UserName, string Email, string Password, string[] Roles, string? DisplayName = null);

public sealed record CreateServiceAccountRequest(string Name, string[] Roles);

public sealed record ReplaceRolesRequest(string[] Roles);

public sealed record UserResponse(
    string Id,
    string UserName,
    string? Email,
    string? DisplayName,
    string[] Roles,
    bool IsServiceAccount,
    bool IsDisabled,
    DateTimeOffset? LockedOutUntil,
    DateTimeOffset CreatedAt,
    string? CreatedBy)
{
    public static UserResponse From(AuthUser user, IEnumerable<string> roles) => new(
        user.Id, user.UserName!, user.Email, user.DisplayName, [.. roles], user.IsServiceAccount, user.IsDisabled,
        user.LockoutEnabled && user.LockoutEnd > DateTimeOffset.UtcNow ? user.LockoutEnd : null, user.CreatedAt, user.CreatedBy);
}
