# Completion and messages that come from the data: -Model completes from the store the command line names, a store
# without the requested model says which models it holds, and empty input is reported instead of printing nothing.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:work = Join-Path $TestDrive 'work'
    $null = New-Item -ItemType Directory -Path $script:work
    $crops = Join-Path $script:work 'crops'
    $null = New-TestCropSet -Path $crops -Count 6 -Identities 3
    $endpoint = Start-TestEndpoint
    try {
        $script:stored = @(Get-ChildItem -LiteralPath $crops -Recurse -Filter *.png |
                Get-FaceEmbedding -Model dingo, eagle-2 -ServerUrl $endpoint.Url -OutputDirectory (Join-Path $script:work 'store'))
    }
    finally { Stop-TestEndpoint $endpoint }

    function script:Get-Completion([string] $Line) {
        Push-Location -LiteralPath $script:work
        try { @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches) }
        finally { Pop-Location }
    }
}

Describe '-Model completion from the store' {
    It 'offers exactly the models the store holds to Import-FaceEmbedding store -Model <Tab>' {
        $script:stored.Count | Should -Be 12
        (Get-Completion 'Import-FaceEmbedding store -Model ').CompletionText | Should -Be @('dingo', 'eagle-2')
        (Get-Completion 'Import-FaceEmbedding -Path ./store -Model e').CompletionText | Should -Be @('eagle-2')
        (Get-Completion 'Import-FaceEmbedding -LiteralPath store -Model d').CompletionText | Should -Be @('dingo')
        (Get-Completion 'Import-FaceEmbedding store -Model ')[0].ToolTip | Should -BeLike '*store*'
    }

    It 'offers the store''s models first, then the guide''s, to Get-FaceEmbedding -OutputDirectory store -Model <Tab>' {
        (Get-Completion 'Get-FaceEmbedding ./crops -OutputDirectory store -Model ').CompletionText | Should -Be @('dingo', 'eagle-2', 'buffalo', 'eagle')
    }

    It 'falls back to the guide''s models when no store is named' {
        (Get-Completion 'Import-FaceEmbedding nowhere -Model ').CompletionText | Should -Be @('buffalo', 'dingo', 'eagle', 'eagle-2')
    }
}

Describe 'Messages from the data' {
    It 'names the models a store holds when it holds none of the requested ones' {
        Push-Location -LiteralPath $script:work
        try { $out = @(Import-FaceEmbedding store -Model Dingo -ErrorVariable e -ErrorAction SilentlyContinue) }
        finally { Pop-Location }
        $out.Count | Should -Be 0
        $e.Count | Should -Be 1
        "$($e[0])" | Should -BeLike "*holds nothing for model(s) 'Dingo'; it holds 'dingo', 'eagle-2'. Model names are case-sensitive."
    }

    It 'warns when Measure-FaceVerification receives nothing, and when -Model leaves nothing' {
        $r = @(@() | Measure-FaceVerification -WarningVariable w -WarningAction SilentlyContinue)
        $r.Count | Should -Be 0
        $w.Count | Should -Be 1
        "$w" | Should -BeLike '*received no embeddings or comparisons*nothing to measure*'

        $pairs = @(Import-FaceEmbedding (Join-Path $script:work 'store') -Model dingo | Compare-FaceEmbedding -Protocol AllPairs)
        $r = @($pairs | Measure-FaceVerification -Model zebra -WarningVariable w2 -WarningAction SilentlyContinue)
        $r.Count | Should -Be 0
        $w2.Count | Should -Be 1
        "$w2" | Should -BeLike "*None of the $($pairs.Count) comparisons*'zebra'*nothing to measure*"
    }

    It 'warns when Find-Face receives no image' {
        $empty = Join-Path $TestDrive 'empty'
        $null = New-Item -ItemType Directory -Path $empty
        $r = @(Get-ChildItem -LiteralPath $empty -Filter *.jpg | Find-Face -WarningVariable w -WarningAction SilentlyContinue -ErrorVariable e)
        $r.Count | Should -Be 0
        $e.Count | Should -Be 0
        $w.Count | Should -Be 1
        "$w" | Should -BeLike '*Find-Face received no image*'
    }
}
