# Test-FaceVerificationBaseline against results the real Measure-FaceVerification computed.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    Import-Module (Join-Path $PSScriptRoot 'ReportTestData.psm1') -Force

    $script:good = @(New-TestEvaluationSet -Path (Join-Path $TestDrive 'data') | Measure-FaceVerification -Protocol AllPairs |
            Where-Object { $_ -is [InsightFaceEval.VerificationResult] })
    # The same images, the same model names, much noisier embeddings: a degraded model behind the same name.
    $script:worse = @(New-TestEvaluationSet -Path (Join-Path $TestDrive 'data2') -ModelNoise ([ordered]@{ 'model-a' = 0.2; 'model-b' = 0.09 }) |
            Measure-FaceVerification -Protocol AllPairs | Where-Object { $_ -is [InsightFaceEval.VerificationResult] })
    $script:baseline = Join-Path $TestDrive 'baseline.json'
}

Describe 'Test-FaceVerificationBaseline' {
    It 'creates the baseline with -UpdateBaseline, and the same results then pass' {
        $script:good | Test-FaceVerificationBaseline $script:baseline -UpdateBaseline | Should -BeTrue
        $script:baseline | Should -Exist
        (Get-Content $script:baseline -Raw | ConvertFrom-Json).models.name | Should -Be @('model-a', 'model-b')
        $script:good | Test-FaceVerificationBaseline $script:baseline | Should -BeTrue
    }

    It 'returns $false with a warning per regressed metric when a model got worse, even under $ErrorActionPreference Stop' {
        $ErrorActionPreference = 'Stop'
        $result = $script:worse | Test-FaceVerificationBaseline $script:baseline -WarningVariable warnings -WarningAction SilentlyContinue
        $result | Should -BeFalse
        @($warnings).Count | Should -BeGreaterThan 0
        ($warnings -join "`n") | Should -Match '(?m)^Regression: model-a '
        ($warnings -join "`n") | Should -Not -Match '(?m)^Regression: model-b '
    }

    It 'throws TestFaceVerificationBaselineRegression under -ErrorAction Stop' {
        $err = $null
        try { $script:worse | Test-FaceVerificationBaseline $script:baseline -ErrorAction Stop -WarningAction SilentlyContinue }
        catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be 'TestFaceVerificationBaselineRegression,InsightFaceEval.Commands.TestFaceVerificationBaselineCommand'
        $err.CategoryInfo.Category | Should -Be 'LimitsExceeded'
        @($err.TargetObject).Model | Select-Object -Unique | Should -Be 'model-a'
        # Passing results do not throw under Stop.
        $script:good | Test-FaceVerificationBaseline $script:baseline -ErrorAction Stop | Should -BeTrue
    }

    It 'lists every check with -Detailed, failing only the metrics that moved the wrong way' {
        $checks = @($script:worse | Test-FaceVerificationBaseline $script:baseline -Detailed -WarningAction SilentlyContinue)
        $checks | ForEach-Object { $_ | Should -BeOfType ([InsightFaceEval.Reporting.BaselineCheck]) }
        $checks.Model | Select-Object -Unique | Should -Be @('model-a', 'model-b')
        $checks | Where-Object Model -EQ 'model-b' | ForEach-Object { $_.Passed | Should -BeTrue -Because $_.Message }
        $auc = $checks | Where-Object { $_.Model -eq 'model-a' -and $_.Metric -eq 'AUC' }
        $auc.Current | Should -BeLessThan $auc.Baseline
        $eer = $checks | Where-Object { $_.Model -eq 'model-a' -and $_.Metric -eq 'EER' }
        $eer.Passed | Should -BeFalse
        $eer.Change | Should -BeGreaterThan 0.01
    }

    It 'honours a tolerance wide enough to absorb the change' {
        $script:worse | Test-FaceVerificationBaseline $script:baseline -TarTolerance 1 -EerTolerance 1 -AucTolerance 1 -FtaTolerance 1 | Should -BeTrue
    }

    It 'checks a report JSON written by Export-FaceEvaluationReport, and accepts one as a baseline' {
        $report = Join-Path $TestDrive 'today.json'
        $script:worse | Export-FaceEvaluationReport -Path $report
        Test-FaceVerificationBaseline $script:baseline -ReportPath $report -WarningAction SilentlyContinue | Should -BeFalse
        $script:good | Test-FaceVerificationBaseline $report -WarningAction SilentlyContinue | Should -BeTrue
    }

    It 'stops with TestFaceVerificationBaselineNotFound when there is no baseline yet' {
        { $script:good | Test-FaceVerificationBaseline (Join-Path $TestDrive 'missing.json') } |
            Should -Throw -ErrorId 'TestFaceVerificationBaselineNotFound,InsightFaceEval.Commands.TestFaceVerificationBaselineCommand'
        $bad = Join-Path $TestDrive 'bad.json'
        Set-Content $bad '{"hello": 1}' -Encoding UTF8
        { $script:good | Test-FaceVerificationBaseline $bad } |
            Should -Throw -ErrorId 'TestFaceVerificationBaselineInvalidReport,InsightFaceEval.Commands.TestFaceVerificationBaselineCommand'
    }

    It 'fails a baseline model that is missing today, and warns about a model it cannot check' {
        $renamed = Join-Path $TestDrive 'renamed.json'
        (Get-Content $script:baseline -Raw) -replace '"name": "model-b"', '"name": "model-z"' | Set-Content $renamed -Encoding UTF8
        $checks = @($script:good | Test-FaceVerificationBaseline $renamed -Detailed -WarningVariable warnings -WarningAction SilentlyContinue)
        ($checks | Where-Object { $_.Model -eq 'model-z' -and $_.Metric -eq 'Model' }).Passed | Should -BeFalse
        ($warnings -join "`n") | Should -Match "Model 'model-b' is not in the baseline"
    }
}
