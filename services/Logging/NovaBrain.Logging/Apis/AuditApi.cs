using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Logging.Audit;
using NovaBrain.Logging.Infrastructure;
using NovaBrain.Security;

namespace NovaBrain.Logging.Apis;

public static class AuditApi
{
    public const int MaxPageSize = 1000;

    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/logging/v1/audit")
            .WithTags("Audit trail")
            .RequirePermission(Permissions.AuditRead);

        api.MapGet("/", ListEntries)
            .WithName("ListAuditEntries")
            .WithSummary("Audit entries, newest first, filtered by subject, actor and event name");

        return api;
    }

    public static async Task<Results<Ok<AuditEntryResponse[]>, ValidationProblem>> ListEntries(
        [AsParameters] AuditQuery query, LoggingContext context, CancellationToken cancellationToken)
    {
        if (query.Limit is < 1 or > MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["limit"] = [$"limit is between 1 and {MaxPageSize}."],
            });
        }

        var entries = context.AuditEntries.AsNoTracking();
        if (query.Subject is not null)
        {
            entries = entries.Where(entry => entry.Subject == query.Subject);
        }
        if (query.Actor is not null)
        {
            entries = entries.Where(entry => entry.Actor == query.Actor);
        }
        if (query.EventName is not null)
        {
            entries = entries.Where(entry => entry.EventName == query.EventName);
        }
        var page = await entries.OrderByDescending(entry => entry.Id).Take(query.Limit).ToListAsync(cancellationToken);
        return TypedResults.Ok(page.Select(AuditEntryResponse.From).ToArray());
    }
}

public sealed record AuditQuery(string? Subject, string? Actor, string? EventName, int Limit = 100);

public sealed record AuditEntryResponse(
    Guid EventId, string EventName, string Subject, string? Actor, DateTimeOffset OccurredAt, DateTimeOffset RecordedAt, string? TraceId)
{
    public static AuditEntryResponse From(AuditEntry entry) =>
        new(entry.EventId, entry.EventName, entry.Subject, entry.Actor, entry.OccurredAt, entry.RecordedAt, entry.TraceId);
}
