using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Contracts.IntegrationEvents.Parameters;
using NovaBrain.EventBus.Outbox;
using NovaBrain.Parameters.Blobs;
using NovaBrain.Parameters.Infrastructure;
using NovaBrain.Parameters.Sets;
using NovaBrain.Parameters.Tensors;
using NovaBrain.Security;
using Npgsql;

namespace NovaBrain.Parameters.Apis;

/// <summary>
/// Parameter sets: named, numbered, immutable versions of stored blobs, and a <c>current</c> pointer per name whose
/// every move (rollbacks included) is appended to the set's history and announced through the outbox.
/// </summary>
public static partial class ParameterSetsApi
{
    public const int MaxPageSize = 1000;
    public const int MaxTags = 64;
    public const int TagKeyMaxLength = 128;
    public const int TagValueMaxLength = 1024;

    /// <summary>How often a write that lost a race on the set's row is tried again before answering 409.</summary>
    private const int MaxAttempts = 10;

    public static RouteGroupBuilder MapParameterSetsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{BlobsApi.BasePath}/sets").WithTags("Parameter sets");

        api.MapGet("/", ListSets)
            .WithName("ListParameterSets")
            .WithSummary("Parameter sets by name, with their current version")
            .WithDescription("Paged by name: ?limit= (1 to 1000) and ?after=<the last name seen>.")
            .RequirePermission(Permissions.ParamsRead);
        api.MapGet("/{name}", GetSet)
            .WithName("GetParameterSet")
            .WithSummary("A parameter set: its current and latest versions")
            .RequirePermission(Permissions.ParamsRead);
        api.MapPost("/{name}/versions", CreateVersion)
            .WithName("CreateParameterSetVersion")
            .WithSummary("Add a version pointing at a stored blob")
            .WithDescription("Numbers it one past the latest; the first version of a new name creates the set and becomes current.")
            .RequirePermission(Permissions.ParamsWrite);
        api.MapGet("/{name}/versions", ListVersions)
            .WithName("ListParameterSetVersions")
            .WithSummary("A parameter set's versions, oldest first")
            .WithDescription("Paged by number: ?limit= (1 to 1000) and ?after=<the last version seen>.")
            .RequirePermission(Permissions.ParamsRead);
        api.MapGet("/{name}/versions/{version}", GetVersion)
            .WithName("GetParameterSetVersion")
            .WithSummary("One version of a parameter set")
            .RequirePermission(Permissions.ParamsRead);
        api.MapPut("/{name}/versions/{version}/tags", ReplaceTags)
            .WithName("ReplaceParameterSetVersionTags")
            .WithSummary("Replace a version's tags")
            .WithDescription("Tags are labels, not content: the version's blob, format and lineage never change.")
            .RequirePermission(Permissions.ParamsWrite);
        api.MapGet("/{name}/current", GetCurrent)
            .WithName("GetCurrentParameterSetVersion")
            .WithSummary("The version 'current' points at")
            .RequirePermission(Permissions.ParamsRead);
        api.MapPut("/{name}/current", MoveCurrent)
            .WithName("MoveParameterSetCurrent")
            .WithSummary("Point 'current' at a version")
            .WithDescription("Appends a move to the history and publishes ParameterSetCurrentMoved.")
            .RequirePermission(Permissions.ParamsWrite);
        api.MapPost("/{name}/rollback", Rollback)
            .WithName("RollBackParameterSet")
            .WithSummary("Point 'current' back at an earlier version")
            .WithDescription("At the given version, or without one at the version that was current before the last move; a new move, never a deletion.")
            .RequirePermission(Permissions.ParamsWrite);
        api.MapGet("/{name}/history", GetHistory)
            .WithName("GetParameterSetHistory")
            .WithSummary("Every move of 'current', newest first")
            .RequirePermission(Permissions.ParamsRead);

        return api;
    }

    public static async Task<Results<Ok<Page<SetSummary>>, ValidationProblem>> ListSets(
        ParametersContext context, CancellationToken cancellationToken, int limit = 100, string? after = null)
    {
        if (limit is < 1 or > MaxPageSize)
        {
            return LimitOutOfRange();
        }

        var query = context.ParameterSets.AsNoTracking();
        if (after is not null)
        {
            query = query.Where(set => string.Compare(set.Name, after) > 0);
        }
        var sets = await query.OrderBy(set => set.Name).Take(limit + 1)
            .Select(set => new SetSummary(set.Name, set.Current))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(Page<SetSummary>.Of(sets, limit, set => set.Name));
    }

    public static async Task<Results<Ok<SetResponse>, ProblemHttpResult>> GetSet(
        string name, ParametersContext context, CancellationToken cancellationToken) =>
        await context.ParameterSets.AsNoTracking().SingleOrDefaultAsync(set => set.Name == name, cancellationToken) is { } set
            ? TypedResults.Ok(SetResponse.From(set))
            : Problems.SetNotFound(name);

    public static async Task<Results<Created<VersionResponse>, ValidationProblem, ProblemHttpResult>> CreateVersion(
        string name, CreateVersionRequest request, [AsParameters] SetServices services, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (Validate(name, request) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var digest = BlobDigest.Parse(request.Blob!);
        if (await services.Context.FindAsync(digest, cancellationToken) is not { } blob)
        {
            return Problems.UnknownBlob(digest);
        }

        TensorIndex index;
        try
        {
            index = await TensorIndex.ReadAsync(services.Store, digest, request.Format!, cancellationToken);
        }
        catch (InvalidTensorFileException invalid)
        {
            return Problems.InvalidTensorFile(invalid);
        }

        return await services.AddVersionAsync(name, request, blob, index, user, cancellationToken);
    }

    /// <summary>
    /// Adds a version (and, for a new name, the set) for a stored blob whose tensors were read already, numbered one
    /// past the latest; the request is valid apart from its source version, which is checked against the set.
    /// </summary>
    public static async Task<Results<Created<VersionResponse>, ValidationProblem, ProblemHttpResult>> AddVersionAsync(
        this SetServices services, string name, CreateVersionRequest request, Blob blob, TensorIndex index, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var context = services.Context;
        var caller = user.Id();
        for (var attempt = 1; ; attempt++)
        {
            var set = await context.ParameterSets.SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
            if (request.SourceVersion is { } source && (set is null || source < 1 || source > set.Latest))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["sourceVersion"] = [$"Parameter set '{name}' has no version {source} to derive from."],
                });
            }

            var now = DateTimeOffset.UtcNow;
            if (set is null)
            {
                set = new ParameterSet { Name = name, Current = 1, Latest = 1, CreatedAt = now, CreatedBy = caller };
                context.ParameterSets.Add(set);
                context.PointerMoves.Add(new PointerMove
                {
                    Name = name, ToVersion = 1, Kind = PointerMoveKinds.Created, MovedBy = caller, MovedAt = now,
                });
                services.Outbox.Add(new ParameterSetCurrentMoved(name, FromVersion: null, ToVersion: 1, Reason: null, caller));
            }
            else
            {
                set.Latest++;
            }

            var version = new ParameterSetVersion
            {
                Name = name,
                Version = set.Latest,
                Blob = blob.Digest,
                Size = blob.Size,
                Format = request.Format!,
                Description = request.Description,
                Tags = request.Tags ?? [],
                SourceVersion = request.SourceVersion,
                TensorLayout = index.Layout,
                FileMetadata = new Dictionary<string, string>(index.Metadata),
                CreatedAt = now,
                CreatedBy = caller,
            };
            context.ParameterSetVersions.Add(version);
            context.ParameterTensors.AddRange(index.Tensors.Select((tensor, position) => new ParameterTensor
            {
                SetName = name,
                Version = version.Version,
                Position = position,
                Name = tensor.Name,
                Dtype = tensor.Dtype,
                Shape = tensor.Shape,
                ByteSize = tensor.ByteSize,
            }));
            services.Outbox.Add(new ParameterSetVersionCreated(name, version.Version, version.Blob, version.Format, caller));

            if (await services.TrySaveAsync(attempt, cancellationToken))
            {
                return TypedResults.Created(LocationOf(name, version.Version), VersionResponse.From(version));
            }
            if (attempt == MaxAttempts)
            {
                return Problems.SetBusy(name);
            }
        }
    }

    public static async Task<Results<Ok<Page<VersionResponse>>, ValidationProblem, ProblemHttpResult>> ListVersions(
        string name, ParametersContext context, CancellationToken cancellationToken, int limit = 100, int? after = null)
    {
        if (limit is < 1 or > MaxPageSize)
        {
            return LimitOutOfRange();
        }
        if (!await context.ParameterSets.AnyAsync(set => set.Name == name, cancellationToken))
        {
            return Problems.SetNotFound(name);
        }

        var from = after ?? 0;
        var versions = await context.ParameterSetVersions.AsNoTracking()
            .Where(version => version.Name == name && version.Version > from)
            .OrderBy(version => version.Version).Take(limit + 1)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(Page<VersionResponse>.Of(
            versions.Select(VersionResponse.From).ToList(), limit, version => version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    public static async Task<Results<Ok<VersionResponse>, ProblemHttpResult>> GetVersion(
        string name, int version, ParametersContext context, CancellationToken cancellationToken) =>
        await context.ParameterSetVersions.AsNoTracking().SingleOrDefaultAsync(v => v.Name == name && v.Version == version, cancellationToken) is { } found
            ? TypedResults.Ok(VersionResponse.From(found))
            : Problems.VersionNotFound(name, version);

    public static async Task<Results<Ok<VersionResponse>, ValidationProblem, ProblemHttpResult>> ReplaceTags(
        string name, int version, Dictionary<string, string> tags, ParametersContext context, CancellationToken cancellationToken)
    {
        if (ValidateTags(tags) is { } invalid)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tags"] = [invalid] });
        }
        if (await context.ParameterSetVersions.SingleOrDefaultAsync(v => v.Name == name && v.Version == version, cancellationToken) is not { } found)
        {
            return Problems.VersionNotFound(name, version);
        }

        found.Tags = tags;
        await context.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(VersionResponse.From(found));
    }

    public static async Task<Results<Ok<VersionResponse>, ProblemHttpResult>> GetCurrent(
        string name, ParametersContext context, CancellationToken cancellationToken)
    {
        var current = await context.ParameterSets.AsNoTracking()
            .Where(set => set.Name == name)
            .Join(context.ParameterSetVersions.AsNoTracking(), set => new { set.Name, Version = set.Current }, version => new { version.Name, version.Version }, (_, version) => version)
            .SingleOrDefaultAsync(cancellationToken);
        return current is null ? Problems.SetNotFound(name) : TypedResults.Ok(VersionResponse.From(current));
    }

    public static Task<Results<Ok<PointerMoveResponse>, ValidationProblem, ProblemHttpResult>> MoveCurrent(
        string name, MoveCurrentRequest request, [AsParameters] SetServices services, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        services.MoveAsync(name, request.Version, PointerMoveKinds.Moved, request.Reason, user, cancellationToken);

    public static Task<Results<Ok<PointerMoveResponse>, ValidationProblem, ProblemHttpResult>> Rollback(
        string name, RollbackRequest? request, [AsParameters] SetServices services, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        services.MoveAsync(name, request?.Version, PointerMoveKinds.RolledBack, request?.Reason, user, cancellationToken);

    public static async Task<Results<Ok<PointerMoveResponse[]>, ProblemHttpResult>> GetHistory(
        string name, ParametersContext context, CancellationToken cancellationToken)
    {
        if (!await context.ParameterSets.AnyAsync(set => set.Name == name, cancellationToken))
        {
            return Problems.SetNotFound(name);
        }

        var moves = await context.PointerMoves.AsNoTracking()
            .Where(move => move.Name == name)
            .OrderByDescending(move => move.Id)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(moves.Select(PointerMoveResponse.Of).ToArray());
    }

    public static string LocationOf(string name, int version) => $"{BlobsApi.BasePath}/sets/{Uri.EscapeDataString(name)}/versions/{version}";

    /// <summary>
    /// Points <c>current</c> at <paramref name="version"/>, or when null at the version current before the last move;
    /// the set's row version makes a concurrent move lose and try again on what the winner left.
    /// </summary>
    private static async Task<Results<Ok<PointerMoveResponse>, ValidationProblem, ProblemHttpResult>> MoveAsync(
        this SetServices services, string name, int? version, string kind, string? reason, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (reason is { Length: > ParameterSetVersion.DescriptionMaxLength })
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["reason"] = [$"A reason is at most {ParameterSetVersion.DescriptionMaxLength} characters."],
            });
        }

        var context = services.Context;
        var caller = user.Id();
        for (var attempt = 1; ; attempt++)
        {
            if (await context.ParameterSets.SingleOrDefaultAsync(s => s.Name == name, cancellationToken) is not { } set)
            {
                return Problems.SetNotFound(name);
            }

            int target;
            if (version is { } given)
            {
                target = given;
            }
            else
            {
                var last = await context.PointerMoves.AsNoTracking()
                    .Where(move => move.Name == name)
                    .OrderByDescending(move => move.Id)
                    .FirstOrDefaultAsync(cancellationToken);
                if (last?.FromVersion is not { } previous)
                {
                    return Problems.NothingToRollBack(name);
                }
                target = previous;
            }
            if (target < 1 || target > set.Latest)
            {
                return Problems.UnknownVersion(name, target);
            }
            if (target == set.Current)
            {
                return Problems.AlreadyCurrent(name, target);
            }

            var move = new PointerMove
            {
                Name = name,
                FromVersion = set.Current,
                ToVersion = target,
                Kind = kind,
                Reason = reason,
                MovedBy = caller,
                MovedAt = DateTimeOffset.UtcNow,
            };
            set.Current = target;
            context.PointerMoves.Add(move);
            services.Outbox.Add(new ParameterSetCurrentMoved(name, move.FromVersion, move.ToVersion, reason, caller));

            if (await services.TrySaveAsync(attempt, cancellationToken))
            {
                return TypedResults.Ok(PointerMoveResponse.Of(move));
            }
            if (attempt == MaxAttempts)
            {
                return Problems.SetBusy(name);
            }
        }
    }

    private static Dictionary<string, string[]> Validate(string name, CreateVersionRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (!SetName().IsMatch(name))
        {
            errors["name"] =
            [
                $"A parameter set's name is 1 to {ParameterSet.NameMaxLength} characters: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit.",
            ];
        }
        if (!BlobDigest.TryParse(request.Blob, out _))
        {
            errors["blob"] = [$"The blob is named by its digest, {BlobDigest.Format}."];
        }
        if (!ParameterFormats.IsKnown(request.Format))
        {
            errors["format"] = [$"The format is one of {string.Join(", ", ParameterFormats.All)}."];
        }
        if (request.Description is { Length: > ParameterSetVersion.DescriptionMaxLength })
        {
            errors["description"] = [$"A description is at most {ParameterSetVersion.DescriptionMaxLength} characters."];
        }
        if (request.Tags is not null && ValidateTags(request.Tags) is { } invalidTags)
        {
            errors["tags"] = [invalidTags];
        }
        if (request.SourceVersion is < 1)
        {
            errors["sourceVersion"] = ["A source version is a version number, 1 or more."];
        }
        return errors;
    }

    private static string? ValidateTags(Dictionary<string, string> tags)
    {
        if (tags.Count > MaxTags)
        {
            return $"A version has at most {MaxTags} tags.";
        }
        if (tags.Any(tag => tag.Key.Length is 0 or > TagKeyMaxLength || tag.Value is null || tag.Value.Length > TagValueMaxLength))
        {
            return $"A tag's key is 1 to {TagKeyMaxLength} characters and its value a string of at most {TagValueMaxLength}.";
        }
        return null;
    }

    private static ValidationProblem LimitOutOfRange() => TypedResults.ValidationProblem(new Dictionary<string, string[]>
    {
        ["limit"] = [$"limit is between 1 and {MaxPageSize}."],
    });

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex SetName();
}

/// <summary>What the parameter-set writes need besides the request.</summary>
public sealed record SetServices(ParametersContext Context, IntegrationEventOutbox<ParametersContext> Outbox, IBlobStore Store)
{
    /// <summary>
    /// Saves the change with its events; false when another writer got there first (the same version number, a
    /// set created at the same time, or the set's row changed since it was read), with nothing saved and the
    /// context cleared for another attempt after a short, growing pause.
    /// </summary>
    public async Task<bool> TrySaveAsync(int attempt, CancellationToken cancellationToken)
    {
        try
        {
            await Context.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException exception) when (
            exception is DbUpdateConcurrencyException ||
            exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            Context.ChangeTracker.Clear();
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * attempt)), cancellationToken);
            return false;
        }
    }
}

public sealed record CreateVersionRequest(
    string? Blob, string? Format, string? Description = null, Dictionary<string, string>? Tags = null, int? SourceVersion = null);

public sealed record MoveCurrentRequest(int Version, string? Reason = null);

public sealed record RollbackRequest(int? Version = null, string? Reason = null);

/// <summary>A page of a listing; <paramref name="Next"/> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next)
{
    /// <summary>From up to <c>limit + 1</c> items: the extra one only says that there is more.</summary>
    public static Page<T> Of(IReadOnlyList<T> fetched, int limit, Func<T, string> cursorOf) =>
        fetched.Count > limit
            ? new Page<T>(fetched.Take(limit).ToList(), cursorOf(fetched[limit - 1]))
            : new Page<T>(fetched, null);
}

public sealed record SetSummary(string Name, int Current);

public sealed record SetResponse(string Name, int Current, int Latest, DateTimeOffset CreatedAt, string CreatedBy)
{
    public static SetResponse From(ParameterSet set) => new(set.Name, set.Current, set.Latest, set.CreatedAt, set.CreatedBy);
}

public sealed record VersionResponse(
    string Name,
    int Version,
    string Blob,
    long Size,
    string Format,
    string? Description,
    IReadOnlyDictionary<string, string> Tags,
    int? SourceVersion,
    DateTimeOffset CreatedAt,
    string CreatedBy)
{
    public static VersionResponse From(ParameterSetVersion version) => new(
        version.Name, version.Version, version.Blob, version.Size, version.Format, version.Description, version.Tags,
        version.SourceVersion, version.CreatedAt, version.CreatedBy);
}

public sealed record PointerMoveResponse(
    string Name, int? From, int To, string Kind, string? Reason, string MovedBy, DateTimeOffset MovedAt)
{
    public static PointerMoveResponse Of(PointerMove move) => new(
        move.Name, move.FromVersion, move.ToVersion, move.Kind, move.Reason, move.MovedBy, move.MovedAt);
}
