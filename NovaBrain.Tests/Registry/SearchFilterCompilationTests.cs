using System.Linq.Expressions;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NovaBrain.ModelRegistry.Search;

namespace NovaBrain.Tests.Registry;

/// <summary>
/// Compilation of filters to LINQ predicates: the SQL EF Core's PostgreSQL provider makes of them (no server is
/// needed to render it), and their meaning, evaluated on objects where no database function is involved.
/// </summary>
[TestClass]
public sealed partial class SearchFilterCompilationTests
{
    [TestMethod]
    public void Compile_IssueExample_TranslatesToLikeAndExistsSubqueries_WithEveryUserValueAParameter()
    {
        var sql = Sql("name LIKE 'fraud%' AND tags.team = 'vision' AND metrics.accuracy > 0.9");

        var where = Body(sql);
        StringAssert.Contains(where, " LIKE @Value ESCAPE '\\'");
        Assert.AreEqual(2, Regex.Count(where, "EXISTS"), where);
        StringAssert.Contains(where, "\"SearchedTags\"");
        StringAssert.Contains(where, "\"SearchedMetrics\"");
        StringAssert.Contains(where, "JOIN \"SearchedModels\"");
        AssertParameters(sql, "fraud%", "team", "vision", "accuracy", "0.9");
    }

    [TestMethod]
    public void Compile_ILike_UsesPostgresIlike()
    {
        var sql = Sql("name ILIKE '%Forecast%' OR tags.owner ILIKE 'ANN%'");

        StringAssert.Contains(Body(sql), " ILIKE @Value ESCAPE '\\'");
        Assert.AreEqual(2, Regex.Count(Body(sql), "ILIKE"));
        AssertParameters(sql, "%Forecast%", "owner", "ANN%");
    }

    [TestMethod]
    public void Compile_OrAndNot_KeepTheirShapeInSql()
    {
        var sql = Sql("(version_number = 1 OR NOT tags.team = 'vision') AND format = 'onnx'");

        StringAssert.Contains(Body(sql), "WHERE (s.\"Number\" = @Value OR NOT EXISTS (");
        StringAssert.Contains(Body(sql), ") AND s.\"Format\" = @Value3");
        AssertParameters(sql, "team", "vision", "onnx");
    }

    [TestMethod]
    public void Compile_InAndNotIn_SendTheListAsParameters()
    {
        var sql = Sql("run_id IN ('run-a', 'run-b') AND stage NOT IN ('Archived', 'None')");

        AssertNotInlined(Body(sql), "run-a", "run-b", "Archived");
        StringAssert.Contains(sql, "run-a");
    }

    [TestMethod]
    public void Compile_Timestamp_ComparesMillisecondsSinceTheEpoch_AsATimestampParameter()
    {
        var sql = Sql("creation_timestamp >= 1664067852747");

        StringAssert.Contains(Body(sql), "\"CreatedAt\" >= @");
        StringAssert.Contains(sql, "2022-09-25T01:04:12.7470000+00:00");
        AssertNotInlined(Body(sql), "1664067852747", "2022");
    }

    [TestMethod]
    public void Compile_SqlInjectionAttempt_StaysAValue()
    {
        var sql = Sql("name = 'x'' OR 1=1; DROP TABLE \"SearchedVersions\"; --'");

        AssertNotInlined(Body(sql), "DROP", "1=1");
        Assert.DoesNotContain(" OR ", Body(sql));
    }

    [TestMethod]
    public void Compile_EmptyFilter_MatchesEverything()
    {
        var predicate = SearchFilter.Parse("").Compile(SearchedVersion.Fields).Compile();

        Assert.IsTrue(SearchedVersion.Samples().All(predicate));
    }

    [TestMethod]
    [DataRow("version_number = 2", "fraud-detector/2, vision-net/2")]
    [DataRow("version != 1", "fraud-detector/2, vision-net/2, vision-net/3")]
    [DataRow("version_number >= 2 AND version_number < 3", "fraud-detector/2, vision-net/2")]
    [DataRow("name = 'vision-net' OR version_number = 1", "fraud-detector/1, vision-net/1, vision-net/2, vision-net/3")]
    [DataRow("NOT name = 'vision-net'", "fraud-detector/1, fraud-detector/2")]
    [DataRow("NOT (name = 'vision-net' AND version_number > 1)", "fraud-detector/1, fraud-detector/2, vision-net/1")]
    [DataRow("tags.team = 'vision'", "vision-net/1, vision-net/2")]
    [DataRow("tags.team != 'vision'", "fraud-detector/1")]
    [DataRow("NOT tags.team = 'vision'", "fraud-detector/1, fraud-detector/2, vision-net/3")]
    [DataRow("metrics.accuracy > 0.9", "fraud-detector/2, vision-net/3")]
    [DataRow("metrics.accuracy <= 0.9 OR metrics.loss = 0.5", "fraud-detector/1, vision-net/1, vision-net/2")]
    [DataRow("params.lr = '0.01'", "vision-net/2")]
    [DataRow("run_id IN ('run-1', 'run-3')", "fraud-detector/1, vision-net/1")]
    [DataRow("run_id NOT IN ('run-1')", "fraud-detector/2, vision-net/1, vision-net/2")]
    [DataRow("run_id != 'run-1'", "fraud-detector/2, vision-net/1, vision-net/2")]
    [DataRow("stage = 'production' OR stage IN ('ARCHIVED')", "fraud-detector/1, vision-net/2")]
    [DataRow("stage != 'None'", "fraud-detector/1, fraud-detector/2, vision-net/2")]
    [DataRow("creation_timestamp > 1700000000000", "vision-net/2, vision-net/3")]
    [DataRow("creation_timestamp = 1700000000000", "vision-net/1")]
    [DataRow("attributes.format = 'onnx' AND NOT tags.`owner name` = 'ann'", "fraud-detector/2, vision-net/1, vision-net/2, vision-net/3")]
    [DataRow("tags.\"owner name\" = 'ann'", "fraud-detector/1")]
    public void Compile_Semantics_OnObjects(string filter, string expected)
    {
        var predicate = SearchFilter.Parse(filter).Compile(SearchedVersion.Fields).Compile();

        Assert.AreEqual(expected, string.Join(", ", SearchedVersion.Samples().Where(predicate).Select(v => $"{v.Model.Name}/{v.Number}")));
    }

    [TestMethod]
    [DataRow("score = 2", "fraud-detector/2, vision-net/2")]
    [DataRow("score != 2", "fraud-detector/1, vision-net/1")]
    [DataRow("reviewed_at > 1700000000000", "vision-net/2")]
    public void Compile_NullableNumberAndTimestamp_NeverMatchAMissingValue(string filter, string expected)
    {
        var fields = new SearchFields<SearchedVersion>()
            .Number("score", v => v.Number == 3 ? null : (int?)v.Number)
            .Timestamp("reviewed_at", v => v.Number == 3 ? null : (DateTimeOffset?)v.CreatedAt);

        var predicate = SearchFilter.Parse(filter).Compile(fields).Compile();

        Assert.AreEqual(expected, string.Join(", ", SearchedVersion.Samples().Where(predicate).Select(v => $"{v.Model.Name}/{v.Number}")));
    }

    [TestMethod]
    [DataRow("metrics.accuracy LIKE '0.9%'", 17, "metrics support =, !=, <, <=, >, >=; got LIKE")]
    [DataRow("tags.team > 'a'", 10, "tags support =, !=, LIKE, ILIKE; got >")]
    [DataRow("params.lr IN ('a')", 10, "params support =, !=, LIKE, ILIKE; got IN")]
    [DataRow("version_number LIKE '1%'", 15, "'version_number' supports =, !=, <, <=, >, >=; got LIKE")]
    [DataRow("name > 'a'", 5, "'name' supports =, !=, LIKE, ILIKE, IN, NOT IN; got >")]
    [DataRow("stage LIKE 'Prod%'", 6, "'stage' supports =, !=, IN, NOT IN; got LIKE")]
    [DataRow("creation_timestamp IN ('1')", 19, "'creation_timestamp' supports =, !=, <, <=, >, >=; got IN")]
    public void Compile_ComparatorNotAllowedForTheField_ThrowsAtTheComparator(string filter, int position, string reason)
    {
        var error = Assert.ThrowsExactly<FilterSyntaxException>(() => SearchFilter.Parse(filter).Compile(SearchedVersion.Fields));

        Assert.AreEqual((position, reason), (error.Position, error.Reason));
    }

    [TestMethod]
    [DataRow("owner = 'ann'", 0, "unknown field 'owner'; searchable fields are name, version_number, run_id, source_path, format, creation_timestamp, stage, tags.<key>, metrics.<key>, params.<key>")]
    [DataRow("name = 'a' OR attributes.owner = 'ann'", 14, "unknown field 'attributes.owner'")]
    [DataRow("metrics.accuracy > 'high'", 19, "expected a number for 'metrics.accuracy'; got 'high'")]
    [DataRow("tags.team = 3", 12, "expected a quoted string for 'tags.team'; got 3")]
    [DataRow("version_number = '3'", 17, "expected a number for 'version_number'; got '3'")]
    [DataRow("version_number = 2.5", 17, "'version_number' takes whole numbers; got 2.5")]
    [DataRow("version_number > 99999999999", 17, "99999999999 is out of range for 'version_number'")]
    [DataRow("creation_timestamp > 1.5", 21, "'creation_timestamp' takes whole numbers; got 1.5")]
    [DataRow("creation_timestamp > 1e20", 21, "1e20 is out of range for 'creation_timestamp'")]
    [DataRow("creation_timestamp > -1e16", 21, "-1e16 is out of range for 'creation_timestamp' (milliseconds since the Unix epoch)")]
    [DataRow("stage = 'Prod'", 8, "'stage' is one of None, Staging, Production, Archived; got 'Prod'")]
    public void Compile_UnknownFieldOrWrongValue_ThrowsWithThePosition(string filter, int position, string reason)
    {
        var error = Assert.ThrowsExactly<FilterSyntaxException>(() => SearchFilter.Parse(filter).Compile(SearchedVersion.Fields));

        Assert.AreEqual(position, error.Position, error.Message);
        Assert.Contains(reason, error.Reason);
    }

    [TestMethod]
    public void Compile_GroupTheEntityDoesNotHave_IsUnknown()
    {
        var modelFields = new SearchFields<SearchedModel>().Text("name", m => m.Name);

        var error = Assert.ThrowsExactly<FilterSyntaxException>(() => SearchFilter.Parse("name = 'a' AND metrics.x > 1").Compile(modelFields));

        Assert.AreEqual((15, "metrics cannot be searched here; searchable fields are name"), (error.Position, error.Reason));
    }

    [TestMethod]
    public void Compile_SameFilterTwice_ReusesOneSqlShape()
    {
        using var context = SearchContext.Create();

        var first = context.Versions.Where(SearchFilter.Parse("tags.team = 'a'").Compile(SearchedVersion.Fields)).ToQueryString();
        var second = context.Versions.Where(SearchFilter.Parse("tags.owner = 'b'").Compile(SearchedVersion.Fields)).ToQueryString();

        Assert.AreEqual(Body(first), Body(second));
    }

    internal static string Sql(string filter)
    {
        using var context = SearchContext.Create();
        return context.Versions.Where(SearchFilter.Parse(filter).Compile(SearchedVersion.Fields)).ToQueryString();
    }

    /// <summary>The statement without ToQueryString's leading <c>-- @p='value'</c> parameter comments.</summary>
    internal static string Body(string sql) =>
        string.Join('\n', sql.Split('\n').Where(line => !line.StartsWith("-- ", StringComparison.Ordinal)));

    private static void AssertParameters(string sql, params string[] values)
    {
        var declared = ParameterComment().Matches(sql).Select(m => m.Groups["value"].Value).ToList();
        foreach (var value in values)
        {
            Assert.IsTrue(declared.Any(d => d.Contains(value, StringComparison.Ordinal)), $"{value} is not a parameter in:\n{sql}");
        }

        AssertNotInlined(Body(sql), values);
    }

    private static void AssertNotInlined(string body, params string[] values)
    {
        foreach (var value in values)
        {
            Assert.DoesNotContain(value, body, $"{value} is inlined");
        }
    }

    [GeneratedRegex("^-- @\\w+=(?<value>.*)$", RegexOptions.Multiline)]
    private static partial Regex ParameterComment();
}

internal enum SearchedStage
{
    None,
    Staging,
    Production,
    Archived,
}

internal sealed class SearchedModel
{
    public Guid Id { get; set; }

    public required string Name { get; set; }
}

internal sealed class SearchedVersion
{
    public static readonly SearchFields<SearchedVersion> Fields = new SearchFields<SearchedVersion>()
        .Text("name", v => v.Model.Name, sortable: true)
        .Number("version_number", v => v.Number, aliases: ["version"])
        .Text("run_id", v => v.RunId)
        .Text("source_path", v => v.Source)
        .Text("format", v => v.Format)
        .Timestamp("creation_timestamp", v => v.CreatedAt, aliases: ["timestamp"])
        .Enum("stage", v => v.Stage)
        .KeyValue("tags", v => v.Tags, t => t.Key, t => t.Value)
        .NumericKeyValue("metrics", v => v.Metrics, m => m.Key, m => m.Value)
        .KeyValue("params", v => v.Params, p => p.Key, p => p.Value)
        .Key(v => v.Id);

    public Guid Id { get; set; }

    public SearchedModel Model { get; set; } = null!;

    public int Number { get; set; }

    public string? RunId { get; set; }

    public string Source { get; set; } = "";

    public string Format { get; set; } = "onnx";

    public DateTimeOffset CreatedAt { get; set; }

    public SearchedStage Stage { get; set; }

    public List<SearchedTag> Tags { get; set; } = [];

    public List<SearchedMetric> Metrics { get; set; } = [];

    public List<SearchedParam> Params { get; set; } = [];

    /// <summary>Two models, five versions, with and without run ids, tags, metrics and params.</summary>
    public static List<SearchedVersion> Samples()
    {
        var fraud = new SearchedModel { Id = Guid.NewGuid(), Name = "fraud-detector" };
        var vision = new SearchedModel { Id = Guid.NewGuid(), Name = "vision-net" };
        var epoch = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        return
        [
            new() { Id = Guid.NewGuid(), Model = fraud, Number = 1, RunId = "run-1", Format = "torchscript", CreatedAt = epoch.AddDays(-2), Stage = SearchedStage.Archived,
                Tags = [new("team", "risk"), new("owner name", "ann")], Metrics = [new("accuracy", 0.8), new("loss", 0.5)] },
            new() { Id = Guid.NewGuid(), Model = fraud, Number = 2, RunId = "run-2", CreatedAt = epoch.AddDays(-1), Stage = SearchedStage.Staging,
                Metrics = [new("accuracy", 0.95)] },
            new() { Id = Guid.NewGuid(), Model = vision, Number = 1, RunId = "run-3", CreatedAt = epoch, Stage = SearchedStage.None,
                Tags = [new("team", "vision")], Metrics = [new("accuracy", 0.9)] },
            new() { Id = Guid.NewGuid(), Model = vision, Number = 2, RunId = "run-4", CreatedAt = epoch.AddDays(1), Stage = SearchedStage.Production,
                Tags = [new("team", "vision")], Metrics = [new("loss", 0.5)], Params = [new("lr", "0.01")] },
            new() { Id = Guid.NewGuid(), Model = vision, Number = 3, CreatedAt = epoch.AddDays(2), Stage = SearchedStage.None,
                Metrics = [new("accuracy", 0.97)] },
        ];
    }
}

internal sealed record SearchedTag(string Key, string Value)
{
    public Guid Id { get; set; } = Guid.NewGuid();
}

internal sealed record SearchedMetric(string Key, double Value)
{
    public Guid Id { get; set; } = Guid.NewGuid();
}

internal sealed record SearchedParam(string Key, string Value)
{
    public Guid Id { get; set; } = Guid.NewGuid();
}

/// <summary>A throwaway EF Core model on the PostgreSQL provider; nothing connects, the tests only render SQL.</summary>
internal sealed class SearchContext(DbContextOptions<SearchContext> options) : DbContext(options)
{
    public DbSet<SearchedVersion> Versions => Set<SearchedVersion>();

    public static SearchContext Create() =>
        new(new DbContextOptionsBuilder<SearchContext>().UseNpgsql("Host=localhost;Database=search_filter_tests").Options);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SearchedModel>().ToTable("SearchedModels");
        modelBuilder.Entity<SearchedVersion>(version =>
        {
            version.ToTable("SearchedVersions");
            version.HasOne(v => v.Model).WithMany();
            version.HasMany(v => v.Tags).WithOne();
            version.HasMany(v => v.Metrics).WithOne();
            version.HasMany(v => v.Params).WithOne();
        });
        modelBuilder.Entity<SearchedTag>().ToTable("SearchedTags");
        modelBuilder.Entity<SearchedMetric>().ToTable("SearchedMetrics");
        modelBuilder.Entity<SearchedParam>().ToTable("SearchedParams");
    }
}
