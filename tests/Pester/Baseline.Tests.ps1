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

    It 'fails a baseline model that is missing today, and a model it cannot check unless -AllowNewModel' {
        $renamed = Join-Path $TestDrive 'renamed.json'
        (Get-Content $script:baseline -Raw) -replace '"name": "model-b"', '"name": "model-z"' | Set-Content $renamed -Encoding UTF8
        $checks = @($script:good | Test-FaceVerificationBaseline $renamed -Detailed -WarningAction SilentlyContinue)
        ($checks | Where-Object { $_.Model -eq 'model-z' -and $_.Metric -eq 'Model' }).Passed | Should -BeFalse
        $new = $checks | Where-Object { $_.Model -eq 'model-b' -and $_.Metric -eq 'Model' }
        $new.Passed | Should -BeFalse
        $new.Message | Should -Match 'not in the baseline'
        # Expected new models: left out with a warning, and only the missing baseline model fails.
        $allowed = @($script:good | Test-FaceVerificationBaseline $renamed -Detailed -AllowNewModel -WarningVariable warnings -WarningAction SilentlyContinue)
        @($allowed | Where-Object { -not $_.Passed }).Model | Should -Be 'model-z'
        ($warnings -join "`n") | Should -Match "Model 'model-b' is not in the baseline"
    }

    It 'passes a model the baseline does not know only with -AllowNewModel' {
        $onlyA = Join-Path $TestDrive 'only-a.json'
        $script:good | Where-Object Model -EQ 'model-a' | Test-FaceVerificationBaseline $onlyA -UpdateBaseline | Should -BeTrue
        $script:good | Test-FaceVerificationBaseline $onlyA -WarningAction SilentlyContinue | Should -BeFalse
        $script:good | Test-FaceVerificationBaseline $onlyA -AllowNewModel -WarningAction SilentlyContinue | Should -BeTrue
    }
}

Describe 'Test-FaceVerificationBaseline with a damaged or hostile baseline (issue 12, item 3)' {
    BeforeAll {
        # TestDrive is per Describe: this block writes its own good baseline to edit.
        $script:baseline = Join-Path $TestDrive 'good-baseline.json'
        $null = $script:good | Test-FaceVerificationBaseline $script:baseline -UpdateBaseline
        function Write-Edited([string] $Name, [scriptblock] $Edit) {
            $copy = Get-Content $script:baseline -Raw | ConvertFrom-Json
            & $Edit $copy
            $path = Join-Path $TestDrive "$Name.json"
            $copy | ConvertTo-Json -Depth 20 | Set-Content -LiteralPath $path -Encoding UTF8
            $path
        }
    }

    It 'stops with TestFaceVerificationBaselineInvalidBaseline, never $true for a regressed result, when <Case>' -ForEach @(
        @{ Case = 'models is an object, not a list'; Edit = { param($d) $d.models = [pscustomobject]@{ a = $d.models[0] } }; Problem = "'models' must be a list" }
        @{ Case = 'models is empty'; Edit = { param($d) $d.models = @() }; Problem = "'models' is empty" }
        @{ Case = 'a TAR is a string'; Edit = { param($d) foreach ($m in $d.models) { foreach ($t in $m.completed.tarAtFar) { if ($t.supported) { $t.tar = 'high' } } } }; Problem = "'tar' must be a rate" }
        @{ Case = 'a pair count is a string'; Edit = { param($d) $d.models[0].completed.genuinePairs = '12'; $d.models[0].completed.impostorPairs = $null }; Problem = "'completed.genuinePairs' must be a whole number" }
        @{ Case = 'a count is huge'; Edit = { param($d) $d.models[0].completed.genuinePairs = 1e300 }; Problem = "'completed.genuinePairs' must be a whole number" }
        @{ Case = 'a rate is out of range'; Edit = { param($d) $d.models[0].completed.auc = 7 }; Problem = "'auc' must be a rate" }
        @{ Case = 'a model name is 100,000 characters'; Edit = { param($d) $d.models[0].name = 'x' * 100000 }; Problem = 'at most 200 are accepted' }
        @{ Case = 'completed is missing'; Edit = { param($d) $d.models[0].PSObject.Properties.Remove('completed') }; Problem = "'completed' must be an object" }
    ) {
        $path = Write-Edited ($Case -replace '\W', '-') $Edit
        $answer = $null
        $err = $null
        try { $answer = $script:worse | Test-FaceVerificationBaseline $path -WarningAction SilentlyContinue -ErrorAction Stop }
        catch { $err = $_ }
        $answer | Should -Not -Be $true
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'TestFaceVerificationBaselineInvalidBaseline,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.Exception.Message | Should -Match ([regex]::Escape($Problem))
    }
}
