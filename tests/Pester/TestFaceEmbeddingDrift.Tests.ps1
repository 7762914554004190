# Test-FaceEmbeddingDrift: the model-change canary, against the local endpoint (real HTTP on loopback).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    Import-Module (Join-Path $PSScriptRoot 'WindowsPowerShellSyntax.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ReportTestData.psm1') -Force

    $script:work = Join-Path $TestDrive 'work'
    $script:faces = Join-Path $script:work 'faces'
    $null = New-TestImageFiles -Path $script:faces -Count 6 -Identities 3 -NoFaceCount 1
    $script:endpoint = Start-TestEndpoint
    $script:stored = @(Get-ChildItem -LiteralPath $script:faces -Recurse -File | Sort-Object FullName |
            Get-FaceEmbedding -Model dingo -ServerUrl $script:endpoint.Url -OutputDirectory (Join-Path $script:work 'store') -DatasetRoot $script:faces -ErrorAction SilentlyContinue)
    $script:success = @($script:stored | Where-Object { "$($_.Status)" -eq 'Success' })

    function Get-Fresh($Endpoint, $References) {
        $scratch = Join-Path $TestDrive ('scratch-' + [guid]::NewGuid().ToString('N'))
        $References | ForEach-Object { Get-Item -LiteralPath $_.Path } |
            Get-FaceEmbedding -Model dingo -ServerUrl $Endpoint.Url -OutputDirectory $scratch -DatasetRoot $script:faces -ErrorAction SilentlyContinue
    }
}

AfterAll { $script:endpoint | Stop-TestEndpoint }

Describe 'Test-FaceEmbeddingDrift' {
    It 'finds nothing changed when the same model embeds the same images again' {
        $script:success.Count | Should -Be 5
        $results = @(Get-Fresh $script:endpoint $script:success | Test-FaceEmbeddingDrift -ReferenceEmbedding $script:success)
        $results.Count | Should -Be 5
        $results | ForEach-Object { $_.Changed | Should -BeFalse; $_.Cosine | Should -BeGreaterOrEqual 0.9999 }
        @($results.RelativePath) | Should -Be @($script:success.RelativePath)
    }

    It 'flags every image when another model answers behind the same name' {
        $swapped = Start-TestEndpoint -Models @{ dingo = 256 }
        try {
            $results = @(Get-Fresh $swapped $script:success | Test-FaceEmbeddingDrift -ReferenceEmbedding $script:success)
        }
        finally { $swapped | Stop-TestEndpoint }
        $results.Count | Should -Be 5
        $results | ForEach-Object {
            $_.Changed | Should -BeTrue
            $_.Cosine | Should -BeNullOrEmpty
            $_.Dimension | Should -Be 256
            $_.Reason | Should -Match 'length changed from \d+ to 256'
        }
    }

    It 'counts an image with no fresh embedding as changed, and reports a reference without a vector' {
        $noFace = @($script:stored | Where-Object { "$($_.Status)" -ne 'Success' })
        $noFace.Count | Should -Be 1
        $fresh = @(Get-Fresh $script:endpoint ($script:success | Select-Object -First 4))
        $results = @($fresh | Test-FaceEmbeddingDrift -ReferenceEmbedding (@($noFace) + $script:success) -ErrorVariable problems -ErrorAction SilentlyContinue)
        $results.Count | Should -Be 5
        @($results | Where-Object Changed).Count | Should -Be 1
        ($results | Where-Object Changed).Reason | Should -Be 'no fresh embedding of this image'
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'TestFaceEmbeddingDriftNoReferenceVector,*'
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problems[0].TargetObject.RelativePath | Should -Be $noFace[0].RelativePath
    }

    It 'runs its help example as printed' {
        $page = Join-Path (Get-TestRepositoryRoot) 'docs/en-US/Test-FaceEmbeddingDrift.md'
        $code = (Get-MarkdownPowerShellBlock -Path $page | Where-Object { $_.Code -match 'Test-FaceEmbeddingDrift' } | Select-Object -First 1).Code
        $code | Should -Match '-ReferenceEmbedding \$stored'
        $saved = $env:INSIGHTFACE_SERVER_URL
        $env:INSIGHTFACE_SERVER_URL = $script:endpoint.Url
        Push-Location -LiteralPath $script:work
        try { $results = @(. ([scriptblock]::Create($code))) }
        finally { Pop-Location; $env:INSIGHTFACE_SERVER_URL = $saved }
        $results.Count | Should -Be 4
        @($results | Where-Object Changed).Count | Should -Be 0
        Join-Path $script:work 'canary' | Should -Exist
    }
}
