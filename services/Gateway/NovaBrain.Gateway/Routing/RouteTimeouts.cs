using Microsoft.AspNetCore.Http.Timeouts;

namespace NovaBrain.Gateway.Routing;

public static class RouteTimeouts
{
    /// <summary>
    /// A step of the proxy pipeline: YARP reports a request that its route's timeout cut short as one the client
    /// abandoned (400; dotnet/yarp#2662), where a gateway whose service did not answer in time answers 504.
    /// </summary>
    public static async Task AnswerGatewayTimeout(HttpContext context, Func<Task> next)
    {
        await next();
        if (!context.Response.HasStarted &&
            context.Features.Get<IHttpRequestTimeoutFeature>() is { RequestTimeoutToken.IsCancellationRequested: true })
        {
            context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
        }
    }
}
