using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace NovaBrain.Training.Grpc;

/// <summary>
/// Reads what a REST handler answered as a gRPC answer: its value, or its problem details as an
/// <see cref="RpcException"/> whose status detail starts with the reason and whose trailers carry it.
/// </summary>
internal static class TrainingRpc
{
    public const string ReasonTrailer = "novabrain-problem-reason";

    /// <summary>The reason of a refused request whose problem details name none (a handler's field validation).</summary>
    public const string InvalidRequestReason = "invalid-request";

    private const string ReasonTypePrefix = "urn:novabrain:problem:";

    /// <summary>The value the handler answered (Ok, Created), or its refusal thrown.</summary>
    public static T ValueOf<T>(IResult result) => Unwrap(result) switch
    {
        IValueHttpResult<T> { Value: { } value } => value,
        ProblemHttpResult problem => throw Refusal(problem.ProblemDetails),
        ValidationProblem invalid => throw Refusal(invalid.ProblemDetails),
        var other => throw new InvalidOperationException($"The training service answered {other.GetType().Name}, which has no gRPC form here."),
    };

    /// <summary>
    /// The refusal as the gRPC status matching its HTTP status; a validation problem's detail names each field and
    /// its rule (<c>hyperparameters.epochs: ...</c>).
    /// </summary>
    private static RpcException Refusal(ProblemDetails problem)
    {
        var reason = problem.Type is { } type && type.StartsWith(ReasonTypePrefix, StringComparison.Ordinal)
            ? type[ReasonTypePrefix.Length..]
            : InvalidRequestReason;
        var detail = problem is HttpValidationProblemDetails { Errors.Count: > 0 } validation
            ? string.Join(" ", validation.Errors.SelectMany(field => field.Value.Select(message => $"{field.Key}: {message}")))
            : problem.Detail ?? problem.Title;
        var trailers = new Metadata { { ReasonTrailer, reason } };
        return new RpcException(new Status(CodeOf(problem.Status ?? StatusCodes.Status500InternalServerError), $"{reason}: {detail}"), trailers);
    }

    private static StatusCode CodeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => StatusCode.InvalidArgument,
        StatusCodes.Status403Forbidden => StatusCode.PermissionDenied,
        StatusCodes.Status404NotFound => StatusCode.NotFound,
        StatusCodes.Status409Conflict => StatusCode.FailedPrecondition,
        StatusCodes.Status503ServiceUnavailable => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };

    private static IResult Unwrap(IResult result) => result is INestedHttpResult nested ? Unwrap(nested.Result) : result;
}
