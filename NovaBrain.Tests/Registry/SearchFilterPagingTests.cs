using System.Buffers.Text;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NovaBrain.ModelRegistry.Search;

namespace NovaBrain.Tests.Registry;

/// <summary>order_by and keyset page tokens through <see cref="SearchFields{T}"/>: walked on objects, rendered as SQL.</summary>
[TestClass]
public sealed class SearchFilterPagingTests
{
    [TestMethod]
    [DataRow("name ASC, version_number DESC", 2)]
    [DataRow("creation_timestamp DESC", 3)]
    [DataRow("timestamp", 4)]
    [DataRow("version ASC, name DESC", 1)]
    [DataRow("", 5)]
    public void Pages_WalkedWithTheirTokens_ReturnEveryRowOnceInOrder(string orderBy, int pageSize)
    {
        var rows = ManyVersions();
        var order = SortClause.Parse([orderBy]);

        var walked = new List<SearchedVersion>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = ReadPage(rows, order, token, pageSize);
            Assert.IsTrue(page.Items.Count is > 0 && page.Items.Count <= pageSize);
            walked.AddRange(page.Items);
            token = page.NextPageToken;
            pages++;
        }
        while (token is not null);

        Assert.AreEqual((rows.Count + pageSize - 1) / pageSize, pages);
        CollectionAssert.AreEqual(Expected(rows, orderBy).Select(v => v.Id).ToList(), walked.Select(v => v.Id).ToList());
    }

    [TestMethod]
    public void Page_WithAToken_RendersAnOrderedKeysetQuery_WithTheCursorAsParameters()
    {
        var rows = ManyVersions();
        var order = SortClause.Parse(["name ASC", "version_number DESC"]);
        var token = ReadPage(rows, order, null, 2).NextPageToken;
        using var context = SearchContext.Create();

        var sql = SearchedVersion.Fields.Page(context.Versions.Include(v => v.Model), order, token, 2).ToQueryString();

        var body = SearchFilterCompilationTests.Body(sql);
        StringAssert.Contains(body, "ORDER BY s0.\"Name\", s.\"Number\" DESC, s.\"Id\"");
        StringAssert.Contains(body, "WHERE s0.\"Name\" > @");
        StringAssert.Contains(body, "s.\"Number\" < @");
        StringAssert.Contains(body, "s.\"Id\" > @");
        StringAssert.Contains(body, "LIMIT @");
        Assert.DoesNotContain("alpha", body);
        StringAssert.Contains(sql, "'alpha'");
    }

    [TestMethod]
    public void ToPage_WithoutTheNavigationASortFieldReads_SaysToIncludeIt()
    {
        var rows = ManyVersions();
        foreach (var row in rows)
        {
            row.Model = null!;
        }

        var error = Assert.ThrowsExactly<InvalidOperationException>(() =>
            SearchedVersion.Fields.ToPage(rows, SortClause.Parse(["name"]), 2));

        StringAssert.Contains(error.Message, "'name' reads a navigation the query did not load");
    }

    [TestMethod]
    public void Page_TokenFromAnotherOrder_IsRefused()
    {
        var rows = ManyVersions();
        var token = ReadPage(rows, SortClause.Parse(["name"]), null, 2).NextPageToken!;

        var error = Assert.ThrowsExactly<InvalidPageTokenException>(() => ReadPage(rows, SortClause.Parse(["name DESC"]), token, 2));

        StringAssert.Contains(error.Message, "it was issued for a different order_by");
    }

    [TestMethod]
    [DataRow("not base64url!")]
    [DataRow("e30")]
    [DataRow("bnVsbA")]
    [DataRow("eyJPcmRlciI6MX0")]
    public void Page_GarbledToken_IsRefused(string token)
    {
        var error = Assert.ThrowsExactly<InvalidPageTokenException>(() => ReadPage(ManyVersions(), SortClause.Parse(["name"]), token, 2));

        Assert.AreEqual("invalid page token: it is not a token this service issued", error.Message);
    }

    [TestMethod]
    public void Page_TokenWithTamperedValues_IsRefused()
    {
        var rows = ManyVersions();
        var order = SortClause.Parse(["name", "version DESC"]);
        var json = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(ReadPage(rows, order, null, 2).NextPageToken!));
        var numberForName = json.Replace("\"After\":[\"alpha\"", "\"After\":[17", StringComparison.Ordinal);
        var textForNumber = json.Replace("\"alpha\",", "\"alpha\",\"x\",", StringComparison.Ordinal).Replace(",\"x\",2,", ",\"x\",", StringComparison.Ordinal);
        var oneValueMissing = json.Replace("\"alpha\",", "", StringComparison.Ordinal);
        Assert.AreNotEqual(json, numberForName);

        foreach (var tampered in new[] { numberForName, textForNumber, oneValueMissing })
        {
            var token = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(tampered));
            Assert.ThrowsExactly<InvalidPageTokenException>(() => ReadPage(rows, order, token, 2), tampered);
        }
    }

    [TestMethod]
    [DataRow("owner", 0, "unknown sort field 'owner'; sortable fields are name, version_number, creation_timestamp")]
    [DataRow("name, run_id DESC", 6, "'run_id' cannot be sorted by; sortable fields are name, version_number, creation_timestamp")]
    [DataRow("stage", 0, "'stage' cannot be sorted by")]
    public void Page_UnknownOrUnsortableField_ThrowsWithThePosition(string orderBy, int position, string reason)
    {
        var error = Assert.ThrowsExactly<FilterSyntaxException>(() => ReadPage(ManyVersions(), SortClause.Parse([orderBy]), null, 2));

        Assert.AreEqual(position, error.Position);
        Assert.Contains(reason, error.Reason);
    }

    [TestMethod]
    public void Page_FieldsWithoutAKey_CannotPage()
    {
        var fields = new SearchFields<SearchedVersion>().Number("version_number", v => v.Number);

        Assert.ThrowsExactly<InvalidOperationException>(() => fields.Page(ManyVersions().AsQueryable(), [], null, 2));
    }

    private static SearchPage<SearchedVersion> ReadPage(List<SearchedVersion> rows, IReadOnlyList<SortClause> order, string? token, int pageSize) =>
        SearchedVersion.Fields.ToPage(SearchedVersion.Fields.Page(rows.AsQueryable(), order, token, pageSize).ToList(), order, pageSize);

    private static IEnumerable<SearchedVersion> Expected(List<SearchedVersion> rows, string orderBy) => orderBy switch
    {
        "name ASC, version_number DESC" => rows.OrderBy(v => v.Model.Name, StringComparer.Ordinal).ThenByDescending(v => v.Number).ThenBy(v => v.Id),
        "creation_timestamp DESC" => rows.OrderByDescending(v => v.CreatedAt).ThenBy(v => v.Id),
        "timestamp" => rows.OrderBy(v => v.CreatedAt).ThenBy(v => v.Id),
        "version ASC, name DESC" => rows.OrderBy(v => v.Number).ThenByDescending(v => v.Model.Name, StringComparer.Ordinal).ThenBy(v => v.Id),
        _ => rows.OrderBy(v => v.Id),
    };

    /// <summary>Three models with three versions each, some sharing a creation time so that the key breaks ties.</summary>
    private static List<SearchedVersion> ManyVersions()
    {
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        return
        [
            .. new[] { "gamma", "alpha", "beta" }.SelectMany(name =>
            {
                var model = new SearchedModel { Id = Guid.NewGuid(), Name = name };
                return Enumerable.Range(1, 3).Select(number => new SearchedVersion
                {
                    Id = Guid.NewGuid(),
                    Model = model,
                    Number = number,
                    CreatedAt = start.AddMinutes(number % 2),
                });
            }),
        ];
    }
}
