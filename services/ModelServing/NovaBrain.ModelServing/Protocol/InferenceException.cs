using Grpc.Core;

namespace NovaBrain.ModelServing.Protocol;

/// <summary>Why an inference-protocol call failed, in the protocol's terms; each maps to an HTTP and a gRPC status.</summary>
public enum InferenceError
{
    /// <summary>Bad input: wrong shape, datatype, missing or unknown tensor, malformed body.</summary>
    InvalidArgument,

    /// <summary>Unknown model or version.</summary>
    NotFound,

    /// <summary>The model is not ready (loading, failed, unloading) or the request waited past its timeout.</summary>
    Unavailable,

    /// <summary>The model's queue is full; the caller may retry later.</summary>
    ResourceExhausted,

    /// <summary>The caller went away before the request was computed.</summary>
    Cancelled,

    /// <summary>The engine failed.</summary>
    Internal,
}

/// <summary>A failed inference-protocol call: answered as <c>{"error": message}</c> over REST and as a status over gRPC.</summary>
public sealed class InferenceException(InferenceError error, string message) : Exception(message)
{
    public InferenceError Error { get; } = error;

    /// <summary>Triton's mapping: NOT_FOUND 404, UNAVAILABLE 503, INTERNAL 500, everything else 400; a full queue is 429.</summary>
    public int HttpStatus => Error switch
    {
        InferenceError.NotFound => StatusCodes.Status404NotFound,
        InferenceError.Unavailable => StatusCodes.Status503ServiceUnavailable,
        InferenceError.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        InferenceError.Internal => StatusCodes.Status500InternalServerError,
        _ => StatusCodes.Status400BadRequest,
    };

    public StatusCode GrpcStatus => Error switch
    {
        InferenceError.NotFound => StatusCode.NotFound,
        InferenceError.Unavailable => StatusCode.Unavailable,
        InferenceError.ResourceExhausted => StatusCode.ResourceExhausted,
        InferenceError.Cancelled => StatusCode.Cancelled,
        InferenceError.Internal => StatusCode.Internal,
        _ => StatusCode.InvalidArgument,
    };

    public static InferenceException BadInput(string message) => new(InferenceError.InvalidArgument, message);

    public static InferenceException UnknownModel(string model) => new(InferenceError.NotFound, $"Request for unknown model: '{model}' is not found");

    public static InferenceException UnknownVersion(string model, string version) =>
        new(InferenceError.NotFound, $"Request for unknown model: '{model}' version {version} is not found");

    public static InferenceException NotReady(string model, string state) =>
        new(InferenceError.Unavailable, $"Request for model '{model}' which is not ready ({state})");
}
