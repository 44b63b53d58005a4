using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Auth.Roles;
using NovaBrain.Auth.Users;
using NovaBrain.Contracts.IntegrationEvents.Identity;
using NovaBrain.EventBus.Outbox;
using NovaBrain.Security;

namespace NovaBrain.Auth.Apis;

public static class MeApi
{
    public static RouteGroupBuilder MapMeApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth/v1/me").WithTags("Me").RequireAuthorization();

        api.MapGet("/", GetMe)
            .WithName("GetMe")
            .WithSummary("Who the caller is and what their account may do now")
            .WithDescription("Permissions are those of the account at this moment (a user's roles, a client's grants), "
                + "which may be newer than those in the caller's token.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/password", ChangePassword)
            .WithName("ChangeMyPassword")
            .WithSummary("Change the caller's own password")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return api;
    }

    public static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> GetMe(
        ClaimsPrincipal caller, UserManager<AuthUser> users, PermissionResolver permissions, CancellationToken cancellationToken)
    {
        var id = caller.Id();
        if (await users.FindByIdAsync(id) is { } user)
        {
            var roles = await users.GetRolesAsync(user);
            return TypedResults.Ok(new MeResponse(
                user.Id, user.UserName!, user.Email, user.DisplayName,
                [.. roles.Order(StringComparer.Ordinal)], await permissions.ForUserAsync(user.Id, cancellationToken)));
        }

        // A client-credentials token names the client, which is no user.
        if (caller.FindFirstValue(NovaBrainClaimTypes.ClientId) is { } clientId && clientId == id)
        {
            return TypedResults.Ok(new MeResponse(clientId, clientId, null, null, [], await permissions.ForClientAsync(clientId, cancellationToken)));
        }

        return UserGone(id);
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePassword(
        ChangePasswordRequest request,
        ClaimsPrincipal caller,
        UserManager<AuthUser> users,
        AuthContext context,
        IntegrationEventOutbox<AuthContext> outbox)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(request.CurrentPassword))
        {
            errors["currentPassword"] = ["currentPassword is required."];
        }
        if (string.IsNullOrEmpty(request.NewPassword))
        {
            errors["newPassword"] = ["newPassword is required."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var id = caller.Id();
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return UserGone(id);
        }
        if (user.IsServiceAccount || user.PasswordHash is null)
        {
            return Problems.BadRequest("no-password", "This account has no password",
                "Service accounts and accounts that sign in elsewhere have no password to change.");
        }

        // UserManager saves through the same scoped AuthContext, so the staged event commits with the new password.
        outbox.Add(new UserPasswordChanged(user.Id, user.UserName!, id));
        var result = await users.ChangePasswordAsync(user, request.CurrentPassword, request.NewPassword);
        if (!result.Succeeded)
        {
            context.ChangeTracker.Clear();
            return TypedResults.ValidationProblem(result.Errors
                .GroupBy(error => error.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "currentPassword" : "newPassword")
                .ToDictionary(group => group.Key, group => group.Select(error => error.Description).ToArray()));
        }
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult UserGone(string id) => Problems.NotFound(
        "user-not-found", "No such user", $"The caller '{id}' names no user or client; it may have been deleted.");
}

public sealed record MeResponse(string Id, string UserName, string? Email, string? DisplayName, string[] Roles, string[] Permissions);

public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword);
