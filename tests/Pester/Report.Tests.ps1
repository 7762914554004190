# Export-FaceEvaluationReport against the real Measure-FaceVerification, and the HTML in a real browser.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    Import-Module (Join-Path $PSScriptRoot 'ReportTestData.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Browser.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force

    $script:data = Join-Path $TestDrive 'data'
    $script:embeddings = @(New-TestEvaluationSet -Path $script:data)
    $script:measured = @($script:embeddings | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 50)
    $script:results = @($script:measured | Where-Object { $_ -is [InsightFaceEval.VerificationResult] })
    $script:out = Join-Path $TestDrive 'reports'
    $script:html = Join-Path $script:out 'eval.html'
    $script:json = Join-Path $script:out 'eval.json'
    $script:md = Join-Path $script:out 'eval.md'
    $script:files = @($script:measured | Export-FaceEvaluationReport -Path $script:html, $script:json, $script:md -ThumbnailSize 64 -PassThru `
            -Title 'Pester evaluation' -Metadata ([ordered]@{ 'Crop expansion' = 0.2; 'Crop max side' = 256 }) -Note 'Synthetic embeddings on real PNG files.')
    $script:report = Get-Content $script:json -Raw | ConvertFrom-Json
}

Describe 'Export-FaceEvaluationReport' {
    It 'writes one file per -Path in the format its extension names, and -PassThru returns them' {
        $script:results.Count | Should -Be 2
        $script:files.FullName | Should -Be @($script:html, $script:json, $script:md)
        (Get-Content $script:html -Raw) | Should -Match '^<!DOCTYPE html>'
        (Get-Content $script:md -Raw) | Should -Match '^# Pester evaluation'
        $script:report.schemaVersion | Should -Be '1.1'
        Join-Path $script:out 'eval.charts/roc.svg' | Should -Exist
        Join-Path $script:out 'eval.charts/det.svg' | Should -Exist
    }

    It 'carries the measured numbers of every model into the JSON unchanged' {
        $script:report.models.name | Should -Be @('model-a', 'model-b')
        foreach ($result in $script:results) {
            $model = $script:report.models | Where-Object name -EQ $result.Model
            $model.completed.eer | Should -Be $result.Completed.Eer
            $model.completed.auc | Should -Be $result.Completed.Auc
            $model.failureToAcquireRate | Should -Be $result.FailureToAcquireRate
            $model.completed.genuinePairs | Should -Be $result.Completed.GenuinePairs
            foreach ($t in $result.Completed.TarAtFar) {
                $row = $model.completed.tarAtFar | Where-Object { $_.targetFar -eq $t.TargetFar }
                $row.supported | Should -Be $t.IsSupported
                $row.tar | Should -Be $t.Tar
                $row.threshold | Should -Be $t.Threshold
            }
        }
        $script:report.provenance.settings.'Crop expansion' | Should -Be '0.2'
        $script:report.notes | Should -Be @('Synthetic embeddings on real PNG files.')
    }

    It 'shows each model in the HTML summary, with the hardest pairs as downscaled thumbnails' {
        $text = Get-Content $script:html -Raw
        foreach ($result in $script:results) { $text | Should -Match ('<b>' + [regex]::Escape($result.Model) + '</b>') }
        $pairs = ($script:report.models | ForEach-Object { $_.hardestGenuine.Count + $_.hardestImpostor.Count } | Measure-Object -Sum).Sum
        $pairs | Should -BeGreaterThan 0
        ([regex]::Matches($text, '<img class="face"')).Count | Should -Be (2 * $pairs)
        $text | Should -Match 'Contains face images \(biometric data\)'
        $first = [regex]::Match($text, 'src="data:image/jpeg;base64,([^"]+)"').Groups[1].Value
        $image = [SixLabors.ImageSharp.Image]::Load([Convert]::FromBase64String($first))
        try { [Math]::Max($image.Width, $image.Height) | Should -Be 64 } finally { $image.Dispose() }
    }

    It 'leaves every face image out with -ExcludeFaceImages' {
        $path = Join-Path $TestDrive 'nofaces.html'
        $script:measured | Export-FaceEvaluationReport -Path $path -ExcludeFaceImages
        $text = Get-Content $path -Raw
        $text | Should -Not -Match 'data:image/'
        $text | Should -Not -Match '<img'
        $text | Should -Match 'thumbnails were left out'
    }

    It 'keeps the endpoint URL out of every file but records the store''s fingerprint' {
        $endpoint = Start-TestEndpoint
        try {
            $crops = Join-Path $TestDrive 'store-crops'
            $store = Join-Path $TestDrive 'store'
            $files = @(New-TestImageFiles -Path $crops -Count 12 -Identities 3)
            $stored = @($files | Get-FaceEmbedding -Model dingo -ServerUrl $endpoint.Url -OutputDirectory $store -DatasetRoot $crops)
            $result = $stored | Measure-FaceVerification -Protocol AllPairs
            $target = Join-Path $TestDrive 'private'
            $result | Export-FaceEvaluationReport -Path "$target.html", "$target.json", "$target.md" -EmbeddingStore $store `
                -Metadata @{ Endpoint = $endpoint.Url } -EndpointFingerprint $endpoint.Url -WarningVariable warnings -WarningAction SilentlyContinue
            @($warnings).Count | Should -Be 2
            foreach ($file in Get-ChildItem $TestDrive -Filter 'private*' -Recurse -File) {
                (Get-Content $file.FullName -Raw) | Should -Not -Match $endpoint.Token
                (Get-Content $file.FullName -Raw) | Should -Not -Match ([regex]::Escape($endpoint.Authority))
            }
            $json = Get-Content "$target.json" -Raw | ConvertFrom-Json
            $index = Get-Content (Join-Path $store 'dingo/index.jsonl') | ForEach-Object { $_ | ConvertFrom-Json }
            $json.provenance.endpointFingerprints | Should -Be @($index.endpoint | Select-Object -Unique)
            $json.provenance.firstExtraction | Should -Not -BeNullOrEmpty
            # Full image paths stay on this machine: the JSON has dataset-relative ones only.
            (Get-Content "$target.json" -Raw) | Should -Not -Match ([regex]::Escape($crops))
        }
        finally { $endpoint | Stop-TestEndpoint }
    }

    It 'reports a bad input object and a bad path one by one, and still writes the rest' {
        $ok = Join-Path $TestDrive 'partial.json'
        $bad = Join-Path $TestDrive 'partial.txt'
        @('not a result') + $script:measured | Export-FaceEvaluationReport -Path $bad, $ok -ErrorVariable problems -ErrorAction SilentlyContinue
        $ok | Should -Exist
        $bad | Should -Not -Exist
        $input = $problems | Where-Object FullyQualifiedErrorId -Like 'ExportFaceEvaluationReportUnsupportedInput,*'
        $input.TargetObject | Should -Be 'not a result'
        $input.CategoryInfo.Category | Should -Be 'InvalidType'
        $format = $problems | Where-Object FullyQualifiedErrorId -Like 'ExportFaceEvaluationReportUnsupportedFormat,*'
        $format.TargetObject | Should -Be $bad
        $format.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'refuses to overwrite with -NoClobber, and writes nothing with -WhatIf' {
        $before = (Get-Item $script:json).LastWriteTimeUtc
        $script:measured | Export-FaceEvaluationReport -Path $script:json -NoClobber -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ExportFaceEvaluationReportFileExists,*'
        $problems[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        (Get-Item $script:json).LastWriteTimeUtc | Should -Be $before
        $whatIf = Join-Path $TestDrive 'whatif.html'
        $script:measured | Export-FaceEvaluationReport -Path $whatIf -WhatIf
        $whatIf | Should -Not -Exist
        @(Get-ChildItem $TestDrive -Filter '*.tmp' -Recurse -Force).Count | Should -Be 0
    }

    It 'stops with a terminating error when nothing reportable came in' {
        { 'x', 1 | Export-FaceEvaluationReport -Path (Join-Path $TestDrive 'none.html') -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId 'ExportFaceEvaluationReportNoResults,InsightFaceEval.Commands.ExportFaceEvaluationReportCommand'
    }
}

Describe 'The HTML report in headless Chromium' {
    It 'renders every chart and thumbnail with no console message, and keeps a screenshot' {
        if (-not (Get-TestChromium)) { Set-ItResult -Skipped -Because 'headless Chromium is not installed (Debian: apt-get install chromium)'; return }
        $shot = Join-Path (Get-TestRepositoryRoot) 'out/screenshots/report.png'
        if (Test-Path $shot) { Remove-Item $shot }
        $seen = Invoke-ReportInBrowser -Path $script:html -ScreenshotPath $shot
        $seen.Console | Should -BeNullOrEmpty
        $seen.Status | Should -Be 'rendered'
        # ROC, DET and one score histogram per model.
        $seen.ExpectedCharts | Should -Be (2 + $script:results.Count)
        $seen.ChartsRendered | Should -Be $seen.ExpectedCharts
        $seen.ImagesRendered | Should -Be ([regex]::Matches((Get-Content $script:html -Raw), '<img class="face"')).Count
        $seen.Screenshot | Should -Exist
        (Get-Item $seen.Screenshot).Length | Should -BeGreaterThan 50kb
        Write-Host "Screenshot: $($seen.Screenshot) ($($seen.PageHeight) px tall)"
    }

    It 'notices a chart that did not render and a blocked network request' {
        if (-not (Get-TestChromium)) { Set-ItResult -Skipped -Because 'headless Chromium is not installed (Debian: apt-get install chromium)'; return }
        $broken = Join-Path $TestDrive 'broken.html'
        $text = (Get-Content $script:html -Raw) -replace '(<figure class="chart" id="chart-det"[^>]*>)\s*<svg', '$1<div></div><svg-broken'
        $text = $text -replace '<main>', '<main><img src="http://192.0.2.1/pixel.png">'
        Set-Content -LiteralPath $broken -Value $text -Encoding UTF8
        $seen = Invoke-ReportInBrowser -Path $broken
        $seen.Status | Should -Be 'failed'
        $seen.Problems | Should -Match '^det: no svg'
        ($seen.Console -join "`n") | Should -Match 'Content Security Policy'
        ($seen.Console -join "`n") | Should -Match 'Report rendering check failed'
    }
}

Describe 'The Markdown report in a real Markdown renderer' {
    It 'shows hostile model, folder and file names, title, note and metadata as text: nothing runs, nothing is injected' {
        if (-not (Get-TestChromium)) { Set-ItResult -Skipped -Because 'headless Chromium is not installed (Debian: apt-get install chromium)'; return }
        . (Join-Path (Get-TestRepositoryRoot) 'build/Assets.ps1')
        try {
            $renderer = Get-MarkdownRenderer -CacheDirectory (Join-Path (Get-TestRepositoryRoot) '.cache')
        }
        catch {
            Set-ItResult -Skipped -Because "the Markdown renderer (npm package marked) could not be fetched: $($_.Exception.Message)"
            return
        }
        # Each payload marks the page if it ever runs; the comment opener would hide the rest of the page.
        $mark = { param($Who) "document.body.setAttribute('data-pwned','$Who')" }
        $model = "<img src=x onerror=""$(& $mark 'model')"">"
        $folder = "<svg onload=$(& $mark 'folder')>"
        $file = "[x](javascript:$(& $mark 'file'))<!--.png"
        $embeddings = foreach ($e in $script:embeddings) {
            $name = if ($e.Model -eq 'model-a') { $model } else { $e.Model }
            $relative = if ($e.Identity -eq 'id0') { "$folder/$file" } else { $e.RelativePath }
            $identity = if ($e.Identity -eq 'id0') { $folder } else { $e.Identity }
            [InsightFaceEval.FaceEmbedding]::new($e.Path, $relative, $identity, $name, $e.Vector, $e.Status, $null, $null, [TimeSpan]::Zero, $false)
        }
        $target = Join-Path $TestDrive 'hostile/report.md'
        $embeddings | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 20 |
            Export-FaceEvaluationReport -Path $target -ExcludeFaceImages `
                -Title "<script>$(& $mark 'title-script')</script><svg onload=""$(& $mark 'title')"">" `
                -Note "<!-- note", "[click](javascript:$(& $mark 'note'))", "<iframe src=""javascript:parent.$(& $mark 'iframe')""></iframe>" `
                -Metadata ([ordered]@{ "<img src=y onerror=`"$(& $mark 'metadata')`">" = '<a href="javascript:alert(2)">x</a>'; 'Plain' = 'value' })
        $seen = Invoke-MarkdownInBrowser -Path $target -RendererScript $renderer
        $seen.Done | Should -BeTrue
        $seen.Pwned | Should -BeNullOrEmpty
        $seen.InjectedTags | Should -BeNullOrEmpty
        $seen.InjectedElements | Should -Be 0
        # The page still has its sections after the comment opener, and the title reads as typed.
        $seen.Headings | Should -Contain 'Dataset'
        $seen.Headings | Should -Contain 'Provenance'
        $seen.Headings[0] | Should -BeLike '<script>*'
        (Get-Content -LiteralPath $target -Raw) | Should -Not -Match '<(img|svg|script|iframe|a )|<!--'
    }
}
