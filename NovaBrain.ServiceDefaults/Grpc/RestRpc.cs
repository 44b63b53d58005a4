using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace NovaBrain.Grpc;

/// <summary>
/// Reads what a REST handler answered as a gRPC answer, for gRPC services that run the REST operations: its value, or
/// its problem details as an <see cref="RpcException"/> whose status detail starts with the reason and whose trailers
/// carry it; a validation problem's detail names each field and its rule.
/// </summary>
public static class RestRpc
{
    public const string ReasonTrailer = "novabrain-problem-reason";

    /// <summary>The reason of a refused request whose problem details name none (a handler's field validation).</summary>
    public const string InvalidRequestReason = "invalid-request";

    /// <summary>The value the handler answered (Ok, Created, Accepted), or its refusal thrown.</summary>
    public static T ValueOf<T>(IResult result) => Unwrap(result) switch
    {
        IValueHttpResult<T> { Value: { } value } => value,
        var other => throw Refusal(other),
    };

    /// <summary>Returns when the handler answered success without a body; throws its refusal otherwise.</summary>
    public static void Succeeded(IResult result)
    {
        if (Unwrap(result) is not NoContent)
        {
            throw Refusal(result);
        }
    }

    /// <summary>The refusal a handler answered, as the gRPC status matching its HTTP status.</summary>
    public static RpcException Refusal(IResult result) => Unwrap(result) switch
    {
        ProblemHttpResult problem => Refusal(problem.ProblemDetails),
        ValidationProblem invalid => Refusal(invalid.ProblemDetails),
        var other => throw new InvalidOperationException($"The handler answered {other.GetType().Name}, which has no gRPC form here."),
    };

    private static RpcException Refusal(ProblemDetails problem)
    {
        var reason = problem.Type is { } type && type.StartsWith(NovaBrainProblems.TypePrefix, StringComparison.Ordinal)
            ? type[NovaBrainProblems.TypePrefix.Length..]
            : InvalidRequestReason;
        var detail = problem is HttpValidationProblemDetails { Errors.Count: > 0 } validation
            ? string.Join(" ", validation.Errors.SelectMany(field => field.Value.Select(message => $"{field.Key}: {message}")))
            : problem.Detail ?? problem.Title;
        var status = problem.Status ?? StatusCodes.Status500InternalServerError;
        var trailers = new Metadata { { ReasonTrailer, reason } };
        return new RpcException(new Status(CodeOf(status, reason), $"{reason}: {detail}"), trailers);
    }

    private static StatusCode CodeOf(int status, string reason) => status switch
    {
        StatusCodes.Status400BadRequest or StatusCodes.Status422UnprocessableEntity => StatusCode.InvalidArgument,
        StatusCodes.Status401Unauthorized => StatusCode.Unauthenticated,
        StatusCodes.Status403Forbidden => StatusCode.PermissionDenied,
        StatusCodes.Status404NotFound => StatusCode.NotFound,
        // A conflict is a failed precondition, except a name that exists already.
        StatusCodes.Status409Conflict when reason.EndsWith("-name-taken", StringComparison.Ordinal) => StatusCode.AlreadyExists,
        StatusCodes.Status409Conflict => StatusCode.FailedPrecondition,
        StatusCodes.Status413PayloadTooLarge => StatusCode.ResourceExhausted,
        StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };

    private static IResult Unwrap(IResult result) => result is INestedHttpResult nested ? Unwrap(nested.Result) : result;
}
