using NovaBrain.ModelRegistry.Search;

namespace NovaBrain.Tests.Registry;

/// <summary>
/// Parsing of search filters and order_by clauses: every filter form MLflow documents, our OR/NOT/parentheses,
/// literals, and the positions malformed filters are reported at. <c>ToString()</c> of a parsed filter renders
/// it fully parenthesised, which shows how it was grouped.
/// </summary>
[TestClass]
public sealed class SearchFilterTests
{
    [TestMethod]
    // The example, and MLflow's registry search examples (registered models and model versions).
    [DataRow("name LIKE 'fraud%' AND tags.team = 'vision' AND metrics.accuracy > 0.9", "((name LIKE 'fraud%' AND tags.team = 'vision') AND metrics.accuracy > 0.9)")]
    [DataRow("name = 'sk-learn-random-forest-reg-model'", "name = 'sk-learn-random-forest-reg-model'")]
    [DataRow("name LIKE 'sk-learn%'", "name LIKE 'sk-learn%'")]
    [DataRow("name ILIKE '%ForeCast%'", "name ILIKE '%ForeCast%'")]
    [DataRow("name = 'a_model_name' and tag.key = 'value1'", "(name = 'a_model_name' AND tags.key = 'value1')")]
    [DataRow("run_id = 'e14afa2f47a040728060c1699968fd43'", "run_id = 'e14afa2f47a040728060c1699968fd43'")]
    [DataRow("run_id IN ('a1b2c3d4', 'e5f6g7h8')", "run_id IN ('a1b2c3d4', 'e5f6g7h8')")]
    [DataRow("source_path = 'runs:/abc/model'", "source_path = 'runs:/abc/model'")]
    [DataRow("version_number > 3", "version_number > 3")]
    [DataRow("tags.`model_type` = 'random_forest'", "tags.model_type = 'random_forest'")]
    // MLflow's run search examples: the same grammar, with metrics, params and the attributes. prefix.
    [DataRow("metrics.accuracy > 0.92", "metrics.accuracy > 0.92")]
    [DataRow("params.model = \"LogisticRegression\" and params.lambda = \"0.001\" and metrics.error <= 0.05", "((params.model = 'LogisticRegression' AND params.lambda = '0.001') AND metrics.error <= 0.05)")]
    [DataRow("attributes.status = \"FAILED\"", "status = 'FAILED'")]
    [DataRow("attributes.run_id IN ('a1b2c3d4', 'e5f6g7h8')", "run_id IN ('a1b2c3d4', 'e5f6g7h8')")]
    [DataRow("attributes.start_time >= 1664067852747", "start_time >= 1664067852747")]
    [DataRow("params.\"model-type\" = 'cnn'", "params.`model-type` = 'cnn'")]
    [DataRow("metrics.`error rate` < 0.1", "metrics.`error rate` < 0.1")]
    [DataRow("metrics.\"2019-04-02 error rate\" < 0.1", "metrics.`2019-04-02 error rate` < 0.1")]
    [DataRow("tags.\"mlflow.runName\" = \"keras-hyperparam-search\"", "tags.mlflow.runName = 'keras-hyperparam-search'")]
    [DataRow("tags.`mlflow.parentRunId` != 'x'", "tags.mlflow.parentRunId != 'x'")]
    [DataRow("params.model = 'CNN' and params.layers = '10' and metrics.`prediction accuracy` >= 0.945", "((params.model = 'CNN' AND params.layers = '10') AND metrics.`prediction accuracy` >= 0.945)")]
    [DataRow("params.model = 'CNN' and params.layers = '10' and metrics.'prediction accuracy' >= 0.945", "((params.model = 'CNN' AND params.layers = '10') AND metrics.`prediction accuracy` >= 0.945)")]
    [DataRow("metrics.rmse < 0.9 and tags.production = 'true'", "(metrics.rmse < 0.9 AND tags.production = 'true')")]
    [DataRow("metrics.accuracy_score < 99.90", "metrics.accuracy_score < 99.90")]
    [DataRow("tags.`my key` = 'v' AND tags.\"my key\" = 'v'", "(tags.`my key` = 'v' AND tags.`my key` = 'v')")]
    [DataRow("run_id NOT IN ('a')", "run_id NOT IN ('a')")]
    [DataRow("metric.loss = -1.5e-3 AND param.lr != '0.1' AND parameters.x = 'y'", "((metrics.loss = -1.5e-3 AND params.lr != '0.1') AND params.x = 'y')")]
    public void Parse_MlflowFilterForms_AreAcceptedUnchanged(string filter, string parsed) =>
        Assert.AreEqual(parsed, SearchFilter.Parse(filter).ToString());

    [TestMethod]
    public void Parse_Comparison_KeepsTheFieldComparatorValueAndPositions()
    {
        var comparison = (ComparisonFilter)SearchFilter.Parse("  tags.`my key` ILIKE 'A%'").Root!;

        Assert.AreEqual(new FieldPath("tags", "my key", "tags.`my key`", 2), comparison.Field);
        Assert.AreEqual(Comparator.ILike, comparison.Comparator);
        Assert.AreEqual(16, comparison.ComparatorPosition);
        Assert.AreEqual(new StringValue("A%", 22), comparison.Value);
    }

    [TestMethod]
    [DataRow("name = 'a' OR name = 'b' AND name = 'c'", "(name = 'a' OR (name = 'b' AND name = 'c'))")]
    [DataRow("name = 'a' AND name = 'b' OR name = 'c'", "((name = 'a' AND name = 'b') OR name = 'c')")]
    [DataRow("NOT name = 'a' AND name = 'b'", "((NOT name = 'a') AND name = 'b')")]
    [DataRow("NOT name = 'a' OR NOT NOT name = 'b'", "((NOT name = 'a') OR (NOT (NOT name = 'b')))")]
    [DataRow("(name = 'a' OR name = 'b') AND name = 'c'", "((name = 'a' OR name = 'b') AND name = 'c')")]
    [DataRow("NOT (name = 'a' OR ((name = 'b')))", "(NOT (name = 'a' OR name = 'b'))")]
    [DataRow("name = 'a' OR name = 'b' OR name = 'c'", "((name = 'a' OR name = 'b') OR name = 'c')")]
    [DataRow("not name='a' and (name='b'or name='c')", "((NOT name = 'a') AND (name = 'b' OR name = 'c'))")]
    [DataRow("name = 'x' aNd version_number >= 2 Or stage in ('Production')", "((name = 'x' AND version_number >= 2) OR stage IN ('Production'))")]
    public void Parse_NotAndOr_BindInThatOrder_AndParenthesesOverrideIt(string filter, string parsed) =>
        Assert.AreEqual(parsed, SearchFilter.Parse(filter).ToString());

    [TestMethod]
    [DataRow("name = 'it''s'", "it's")]
    [DataRow("name = 'it\\'s'", "it's")]
    [DataRow("name = \"say \"\"hi\"\"\"", "say \"hi\"")]
    [DataRow("name = \"a 'quoted' word\"", "a 'quoted' word")]
    [DataRow("name = 'back\\\\slash'", "back\\slash")]
    [DataRow("name LIKE 'a\\_b%'", "a\\_b%")]
    [DataRow("name = ''", "")]
    [DataRow("name = 'AND OR NOT ( )'", "AND OR NOT ( )")]
    public void Parse_StringLiterals_UnescapeQuotes_AndKeepOtherBackslashes(string filter, string value) =>
        Assert.AreEqual(value, ((StringValue)((ComparisonFilter)SearchFilter.Parse(filter).Root!).Value).Value);

    [TestMethod]
    [DataRow("version_number = 3", 3.0)]
    [DataRow("version_number = -3", -3.0)]
    [DataRow("metrics.a > 0.25", 0.25)]
    [DataRow("metrics.a > .5", 0.5)]
    [DataRow("metrics.a > 1e3", 1000.0)]
    [DataRow("metrics.a > 2.5E-2", 0.025)]
    [DataRow("metrics.a > -1e+2", -100.0)]
    public void Parse_Numbers_IntegerDecimalExponentAndNegative(string filter, double value) =>
        Assert.AreEqual(value, ((NumberValue)((ComparisonFilter)SearchFilter.Parse(filter).Root!).Value).Value);

    [TestMethod]
    [DataRow(null)]
    [DataRow("")]
    [DataRow("   ")]
    public void Parse_EmptyFilter_HasNoRoot(string? filter) =>
        Assert.IsNull(SearchFilter.Parse(filter).Root);

    [TestMethod]
    [DataRow("name = 'abc", 7, "unterminated string")]
    [DataRow("name = 'a' AND tags.x = \"b", 24, "unterminated string")]
    [DataRow("tags.`my key = 'a'", 5, "unterminated string")]
    [DataRow("name = ", 7, "expected a value (a quoted string or a number) after 'name ='")]
    [DataRow("name =", 6, "expected a value (a quoted string or a number) after 'name ='")]
    [DataRow("name = vision", 7, "expected a value (a quoted string or a number) after 'name ='; got 'vision'")]
    [DataRow("name = 'a' AND", 14, "expected a field name")]
    [DataRow("name = 'a' AND ", 15, "expected a field name")]
    [DataRow("name = 'a' OR AND name = 'b'", 14, "got the keyword AND")]
    [DataRow("AND name = 'a'", 0, "got the keyword AND")]
    [DataRow("name LIKE 'fraud%' AND tags.team 'vision'", 33, "expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN) after 'tags.team'")]
    [DataRow("tags.team ~ 'vision'", 10, "expected a comparison operator")]
    [DataRow("name NOT 'a'", 5, "expected a comparison operator")]
    [DataRow("(name = 'a'", 11, "expected ')' to close the '(' at position 0")]
    [DataRow("((name = 'a') OR name = 'b'", 27, "expected ')' to close the '(' at position 0")]
    [DataRow("name = 'a')", 10, "unexpected ')' without a matching '('")]
    [DataRow("(name = 'a' name = 'b')", 12, "expected ')' to close the '(' at position 0; got 'name'")]
    [DataRow("name = 'a' name = 'b'", 11, "expected AND, OR or the end of the filter; got 'name'")]
    [DataRow("()", 1, "expected a field name")]
    [DataRow("run_id IN 'a'", 10, "expected a parenthesised list of quoted strings after 'run_id IN'")]
    [DataRow("run_id IN ('a', 2)", 16, "expected a quoted string in the list")]
    [DataRow("run_id IN ('a'", 14, "expected ',' or ')' to close the list that starts at position 10")]
    [DataRow("run_id IN ()", 11, "expected a quoted string in the list")]
    [DataRow("foo.bar = 'a'", 0, "unknown entity type 'foo'; expected attributes, tags, metrics or params")]
    [DataRow("tags. = 'a'", 5, "expected a key after 'tags.'")]
    [DataRow("metrics.a > 1e", 12, "malformed number")]
    [DataRow("metrics.a > 12abc", 12, "malformed number '12abc'")]
    [DataRow("metrics.a > -", 12, "malformed number")]
    [DataRow("= 'a'", 0, "expected a field name")]
    public void Parse_MalformedFilter_ThrowsWithThePositionAndWhatWasExpected(string filter, int position, string reason)
    {
        var error = Assert.ThrowsExactly<FilterSyntaxException>(() => SearchFilter.Parse(filter));

        Assert.AreEqual(position, error.Position, error.Message);
        Assert.Contains(reason, error.Reason);
        Assert.EndsWith($" at position {position}", error.Message);
    }

    [TestMethod]
    public void ParseOrderBy_DefaultsToAscending_AcceptsKeywordsInAnyCase_AndSeveralClauses()
    {
        var order = SortClause.Parse(["name ASC", "version_number desc", "creation_timestamp", null, " ", "attributes.last_updated_timestamp DESC, `stage`"]);

        CollectionAssert.AreEqual(
            new[]
            {
                new SortClause("name", SortDirection.Ascending, 0),
                new SortClause("version_number", SortDirection.Descending, 0),
                new SortClause("creation_timestamp", SortDirection.Ascending, 0),
                new SortClause("last_updated_timestamp", SortDirection.Descending, 0),
                new SortClause("stage", SortDirection.Ascending, 40),
            },
            order.ToArray());
    }

    [TestMethod]
    [DataRow("name SIDEWAYS", 5, "expected ASC, DESC, ',' or the end of the order_by clause after 'name'; got 'SIDEWAYS'")]
    [DataRow("tags.team DESC", 0, "only attributes can be sorted by; got 'tags.team'")]
    [DataRow("name ASC,", 9, "expected a field name")]
    [DataRow("name ASC DESC", 9, "expected ASC, DESC, ',' or the end")]
    public void ParseOrderBy_Malformed_ThrowsWithThePosition(string orderBy, int position, string reason)
    {
        var error = Assert.ThrowsExactly<FilterSyntaxException>(() => SortClause.Parse([orderBy]));

        Assert.AreEqual(position, error.Position, error.Message);
        Assert.Contains(reason, error.Reason);
    }
}
