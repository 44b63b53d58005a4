using Microsoft.AspNetCore.Http.HttpResults;
using NovaBrain.Security;

namespace NovaBrain.Auth.Apis;

/// <summary>
/// Problem details whose <c>type</c> names the reason (<c>urn:novabrain:problem:{reason}</c>), so clients can tell
/// one conflict from another without parsing the text.
/// </summary>
internal static class Problems
{
    public static ProblemHttpResult Conflict(string reason, string title, string detail) =>
        Problem(reason, title, detail, StatusCodes.Status409Conflict);

    public static ProblemHttpResult NotFound(string reason, string title, string detail) =>
        Problem(reason, title, detail, StatusCodes.Status404NotFound);

    public static ProblemHttpResult Forbidden(string reason, string title, string detail) =>
        Problem(reason, title, detail, StatusCodes.Status403Forbidden);

    public static ProblemHttpResult BadRequest(string reason, string title, string detail) =>
        Problem(reason, title, detail, StatusCodes.Status400BadRequest);

    /// <summary>A validation problem for one field, with a reason of its own.</summary>
    public static ValidationProblem Invalid(string reason, string title, string field, params string[] errors) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = errors }, title: title, type: Type(reason));

    /// <summary>A validation problem naming the permissions that are not among <see cref="Permissions.All"/>; null when there are none.</summary>
    public static ValidationProblem? UnknownPermissions(string field, IEnumerable<string> permissions) =>
        permissions.Where(permission => !Permissions.IsKnown(permission)).Distinct(StringComparer.Ordinal).ToArray() is { Length: > 0 } unknown
            ? Invalid("unknown-permissions", "Unknown permissions", field, $"Unknown permissions: {string.Join(", ", unknown)}.")
            : null;

    private static ProblemHttpResult Problem(string reason, string title, string detail, int status) =>
        TypedResults.Problem(type: Type(reason), title: title, detail: detail, statusCode: status);

    private static string Type(string reason) => $"urn:novabrain:problem:{reason}";
}
