using System.Buffers;
using System.Text.Json;
using NovaBrain.ModelServing.Protocol;
using NovaBrain.ModelServing.Protocol.Rest;
using NovaBrain.Security;

namespace NovaBrain.ModelServing.Apis;

/// <summary>
/// The Open Inference Protocol (KServe v2) over REST, with Triton's binary tensor data, statistics and model repository
/// extensions. Errors are the protocol's <c>{"error": "..."}</c> with Triton's status codes, not problem details.
/// </summary>
public static class InferenceProtocolApi
{
    private const string Tag = "Inference protocol";

    public static RouteGroupBuilder MapInferenceProtocolApi(this IEndpointRouteBuilder app)
    {
        var v2 = app.MapGroup("/v2").WithTags(Tag);

        // Probes, like /health/*: anonymous at the service (the gateway authenticates all of /v2) and left out of the document.
        v2.MapGet("/health/live", () => Json(new LiveBody(true)))
            .WithName("ServerLive").WithSummary("Whether the server is live").AllowAnonymous().ExcludeFromDescription();
        v2.MapGet("/health/ready", () => Json(new ReadyBody(true)))
            .WithName("ServerReady")
            .WithSummary("Whether the server is ready")
            .WithDescription("The server is ready while it runs; readiness of each model is its own (GET /v2/models/{model}/ready), so one model loading or failing does not make the server unready.")
            .AllowAnonymous()
            .ExcludeFromDescription();
        v2.MapGet("", () => Json(new ServerMetadataBody(InferenceService.ServerName, InferenceService.ServerVersion, InferenceService.Extensions)))
            .WithName("ServerMetadata").WithSummary("Server name, version and protocol extensions").RequirePermission(Permissions.ModelsRead);

        v2.MapGet("/models/{model}", (string model, InferenceService inference) => ModelMetadata(model, null, inference))
            .WithName("ModelMetadata").WithSummary("A model's inputs, outputs, platform and version").RequirePermission(Permissions.ModelsRead);
        v2.MapGet("/models/{model}/versions/{version}", ModelMetadata)
            .WithName("ModelVersionMetadata").WithSummary("A model version's inputs, outputs and platform").RequirePermission(Permissions.ModelsRead);
        v2.MapGet("/models/{model}/ready", (string model, InferenceService inference) => ModelReady(model, null, inference))
            .WithName("ModelReady").WithSummary("Whether a model is ready for inference").RequirePermission(Permissions.ModelsRead);
        v2.MapGet("/models/{model}/versions/{version}/ready", ModelReady)
            .WithName("ModelVersionReady").WithSummary("Whether a model version is ready for inference").RequirePermission(Permissions.ModelsRead);

        v2.MapPost("/models/{model}/infer", (string model, HttpContext context, InferenceService inference) => InferAsync(model, null, context, inference))
            .WithName("ModelInfer").WithSummary("Run inference").RequirePermission(Permissions.InferenceInvoke);
        v2.MapPost("/models/{model}/versions/{version}/infer", InferAsync)
            .WithName("ModelVersionInfer").WithSummary("Run inference on a model version").RequirePermission(Permissions.InferenceInvoke);

        v2.MapGet("/models/stats", (InferenceService inference) => Statistics(null, null, inference))
            .WithName("AllModelStatistics").WithSummary("Cumulative statistics of every model").RequirePermission(Permissions.MonitoringRead);
        v2.MapGet("/models/{model}/stats", (string model, InferenceService inference) => Statistics(model, null, inference))
            .WithName("ModelStatistics").WithSummary("Cumulative statistics of a model").RequirePermission(Permissions.MonitoringRead);
        v2.MapGet("/models/{model}/versions/{version}/stats", Statistics)
            .WithName("ModelVersionStatistics").WithSummary("Cumulative statistics of a model version").RequirePermission(Permissions.MonitoringRead);

        v2.MapPost("/repository/index", RepositoryIndexAsync)
            .WithName("RepositoryIndex").WithSummary("Every deployed model with its state").RequirePermission(Permissions.DeploymentsManage);
        v2.MapPost("/repository/models/{model}/load", RepositoryLoadAsync)
            .WithName("RepositoryModelLoad")
            .WithSummary("Load or reload a model and wait until it is ready")
            .WithDescription("A deployment of that name resolves its reference again and rolls to it; otherwise one is created for the 'reference' parameter, by default models:/{model}/Production.")
            .RequirePermission(Permissions.DeploymentsManage);
        v2.MapPost("/repository/models/{model}/unload", RepositoryUnloadAsync)
            .WithName("RepositoryModelUnload").WithSummary("Unload a model (delete its deployment)").RequirePermission(Permissions.DeploymentsManage);

        return v2;
    }

    private static IResult ModelMetadata(string model, string? version, InferenceService inference) =>
        Answer(() => Json(ModelMetadataBody.From(inference.Serving(model, version), inference.Versions(model))));

    private static IResult ModelReady(string model, string? version, InferenceService inference) =>
        Answer(() => Json(new ModelReadyBody(model, inference.IsReady(model, version))));

    private static IResult Statistics(string? model, string? version, InferenceService inference) =>
        Answer(() => Json(new StatisticsBody(inference.Statistics(model, version).Select(ModelStatisticsBody.From).ToArray())));

    private static async Task<IResult> InferAsync(string model, string? version, HttpContext context, InferenceService inference)
    {
        var (body, length, pooled) = (Array.Empty<byte>(), 0, false);
        var completed = false;
        try
        {
            (body, length, pooled) = await ReadBodyAsync(context.Request, context.RequestAborted);
            var jsonLength = length;
            if (context.Request.Headers.TryGetValue(RestInferenceCodec.HeaderLength, out var header) &&
                (!int.TryParse(header, out jsonLength) || jsonLength < 0 || jsonLength > length))
            {
                return Error(StatusCodes.Status400BadRequest, $"{RestInferenceCodec.HeaderLength} must be a length within the request body ({length} bytes)");
            }

            var request = RestInferenceCodec.Decode(body.AsMemory(0, jsonLength), body.AsMemory(jsonLength, length - jsonLength), model, version);
            var response = await inference.InferAsync(request.Request, context.RequestAborted);
            completed = true;
            await WriteResponseAsync(context.Response, response, request);
            return Results.Empty;
        }
        catch (InferenceException exception)
        {
            completed = exception.Error != InferenceError.Cancelled;
            return Error(exception);
        }
        catch (BadHttpRequestException exception)
        {
            completed = true;
            return Error(exception.StatusCode, exception.Message);
        }
        finally
        {
            // A request whose caller left may still be running on the body's memory: that buffer goes to the collector.
            if (pooled && completed)
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }
    }

    private static async Task<(byte[] Body, int Length, bool Pooled)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared and <= int.MaxValue)
        {
            var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(declared, 1));
            var read = 0;
            int chunk;
            while (read < declared && (chunk = await request.Body.ReadAsync(buffer.AsMemory(read, (int)declared - read), cancellationToken)) > 0)
            {
                read += chunk;
            }
            return (buffer, read, true);
        }

        using var copy = new MemoryStream();
        await request.Body.CopyToAsync(copy, cancellationToken);
        return (copy.GetBuffer(), (int)copy.Length, false);
    }

    private static async Task WriteResponseAsync(HttpResponse http, InferenceResponse response, RestInferenceRequest request)
    {
        var json = new ArrayBufferWriter<byte>();
        var binary = new List<ReadOnlyMemory<byte>>();
        await using (var writer = new Utf8JsonWriter(json))
        {
            RestInferenceCodec.Encode(writer, response, request, binary);
        }

        if (binary.Count > 0)
        {
            http.ContentType = "application/octet-stream";
            http.Headers[RestInferenceCodec.HeaderLength] = json.WrittenCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            http.ContentType = "application/json";
        }
        http.ContentLength = json.WrittenCount + binary.Sum(part => (long)part.Length);
        await http.Body.WriteAsync(json.WrittenMemory);
        foreach (var part in binary)
        {
            await http.Body.WriteAsync(part);
        }
    }

    private static async Task<IResult> RepositoryIndexAsync(HttpRequest request, InferenceService inference)
    {
        var body = await ReadOptionalJsonAsync<RepositoryIndexRequestBody>(request);
        if (body.Error is { } error)
        {
            return error;
        }
        return Json(inference.Index(body.Value?.Ready ?? false).Select(entry => new RepositoryIndexEntryBody(entry.Name, entry.Version, entry.State, entry.Reason)).ToArray());
    }

    private static async Task<IResult> RepositoryLoadAsync(string model, HttpContext context, InferenceService inference)
    {
        var body = await ReadOptionalJsonAsync<RepositoryLoadBody>(context.Request);
        if (body.Error is { } error)
        {
            return error;
        }
        string? reference = null;
        if (body.Value?.Parameters is { } parameters && parameters.TryGetValue("reference", out var value))
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                return Error(StatusCodes.Status400BadRequest, "the 'reference' parameter must be a string such as models:/name/3");
            }
            reference = value.GetString();
        }
        try
        {
            await inference.LoadAsync(model, reference, context.RequestAborted);
            return Results.Ok();
        }
        catch (InferenceException exception)
        {
            return Error(exception);
        }
    }

    private static async Task<IResult> RepositoryUnloadAsync(string model, InferenceService inference)
    {
        try
        {
            await inference.UnloadAsync(model);
            return Results.Ok();
        }
        catch (InferenceException exception)
        {
            return Error(exception);
        }
    }

    private static async Task<(T? Value, IResult? Error)> ReadOptionalJsonAsync<T>(HttpRequest request) where T : class
    {
        using var copy = new MemoryStream();
        await request.Body.CopyToAsync(copy, request.HttpContext.RequestAborted);
        if (copy.Length == 0)
        {
            return (null, null);
        }
        try
        {
            return (JsonSerializer.Deserialize<T>(copy.GetBuffer().AsSpan(0, (int)copy.Length), ProtocolJson.Options), null);
        }
        catch (JsonException exception)
        {
            return (null, Error(StatusCodes.Status400BadRequest, $"failed to parse the request JSON: {exception.Message}"));
        }
    }

    private static IResult Answer(Func<IResult> answer)
    {
        try
        {
            return answer();
        }
        catch (InferenceException exception)
        {
            return Error(exception);
        }
    }

    private static IResult Json<T>(T body) => Results.Json(body, ProtocolJson.Options);

    private static IResult Error(InferenceException exception) => exception.Error == InferenceError.ResourceExhausted
        ? new RetryLater(exception.Message)
        : Error(exception.HttpStatus, exception.Message);

    private static IResult Error(int status, string message) => Results.Json(new ErrorBody(message), ProtocolJson.Options, statusCode: status);

    /// <summary>429 with <c>Retry-After</c>: the queue is full now, and drains within a second or so.</summary>
    private sealed class RetryLater(string message) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = "1";
            return Error(StatusCodes.Status429TooManyRequests, message).ExecuteAsync(httpContext);
        }
    }

    private sealed record RepositoryLoadBody(Dictionary<string, JsonElement>? Parameters);
}
