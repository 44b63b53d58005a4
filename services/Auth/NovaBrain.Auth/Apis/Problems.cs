using Microsoft.AspNetCore.Http.HttpResults;
using NovaBrain.Security;

namespace NovaBrain.Auth.Apis;

/// <summary>The account API's refusals, each with a reason of its own (<see cref="NovaBrainProblems"/>).</summary>
internal static class Problems
{
    public static ProblemHttpResult Conflict(string reason, string title, string detail) =>
        NovaBrainProblems.Result(reason, title, detail, StatusCodes.Status409Conflict);

    public static ProblemHttpResult NotFound(string reason, string title, string detail) =>
        NovaBrainProblems.Result(reason, title, detail, StatusCodes.Status404NotFound);

    public static ProblemHttpResult Forbidden(string reason, string title, string detail) =>
        NovaBrainProblems.Result(reason, title, detail, StatusCodes.Status403Forbidden);

    public static ProblemHttpResult BadRequest(string reason, string title, string detail) =>
        NovaBrainProblems.Result(reason, title, detail, StatusCodes.Status400BadRequest);

    /// <summary>A validation problem for one field, with a reason of its own.</summary>
    public static ValidationProblem Invalid(string reason, string title, string field, params string[] errors) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = errors }, title: title, type: NovaBrainProblems.Type(reason));

    /// <summary>A validation problem naming the permissions that are not among <see cref="Permissions.All"/>; null when there are none.</summary>
    public static ValidationProblem? UnknownPermissions(string field, IEnumerable<string> permissions) =>
        permissions.Where(permission => !Permissions.IsKnown(permission)).Distinct(StringComparer.Ordinal).ToArray() is { Length: > 0 } unknown
            ? Invalid("unknown-permissions", "Unknown permissions", field, $"Unknown permissions: {string.Join(", ", unknown)}.")
            : null;
}
